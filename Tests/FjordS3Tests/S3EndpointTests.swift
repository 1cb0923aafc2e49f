@testable import FjordS3
import Testing

@Suite struct S3EndpointTests {
    let credentials = AWSCredentials(accessKeyID: "a", secretAccessKey: "b")

    @Test func pathStyle() {
        let endpoint = S3Endpoint(S3Configuration(endpoint: "minio:9000", bucket: "logs", credentials: credentials,
                                                  forcePathStyle: true, insecure: true))
        #expect(endpoint.scheme == "http")
        #expect(endpoint.host == "minio:9000")
        #expect(endpoint.path(key: "t/chunks/a b") == "/logs/t/chunks/a%20b")
        #expect(endpoint.path(key: "") == "/logs")
        #expect(endpoint.url(path: "/logs", query: [("list-type", "2"), ("prefix", "t/")])
            == "http://minio:9000/logs?list-type=2&prefix=t%2F")
    }

    @Test func virtualHostStyleAndDefaults() {
        let aws = S3Endpoint(S3Configuration(bucket: "logs", region: "eu-west-1", credentials: credentials))
        #expect(aws.scheme == "https")
        #expect(aws.host == "logs.s3.eu-west-1.amazonaws.com")
        #expect(aws.path(key: "t/x") == "/t/x")
        #expect(aws.path(key: "") == "/")
        let explicit = S3Endpoint(S3Configuration(endpoint: "https://storage.example/", bucket: "b", credentials: credentials,
                                                  insecure: true))
        #expect(explicit.scheme == "https")
        #expect(explicit.host == "b.storage.example")
    }

    @Test func backoffGrowsAndCaps() {
        let backoff = S3Backoff(minNanos: 100, maxNanos: 1000)
        #expect((1...6).map { backoff.ceiling(attempt: $0) } == [100, 200, 400, 800, 1000, 1000])
        #expect(backoff.delay(attempt: 3, random: 0) == 200)
        #expect(backoff.delay(attempt: 3, random: 1) == 400)
        #expect(backoff.ceiling(attempt: 500) == 1000)
        #expect(S3Backoff.retryable(status: 503) && S3Backoff.retryable(status: 429) && !S3Backoff.retryable(status: 404))
    }

    @Test func xmlScanning() {
        let xml = Array("""
            <ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b</Key><Size>3</Size></Contents>\
            <Contents><Key>c&#x41;</Key><Size>10</Size></Contents><NextContinuationToken>tok</NextContinuationToken></ListBucketResult>
            """.utf8)
        let entries = S3XML.listEntries(xml)
        #expect(entries.map(\.key) == ["a&b", "cA"])
        #expect(entries.map(\.size) == [3, 10])
        #expect(S3XML.value("NextContinuationToken", in: xml) == "tok")
        #expect(S3XML.value("Missing", in: xml) == nil)
        #expect(S3XML.escape("\"a\"<&>") == "&quot;a&quot;&lt;&amp;&gt;")
    }
}

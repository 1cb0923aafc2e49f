@testable import FjordS3
import Testing

/// AWS's published Signature V4 examples: the S3 header-based-authentication examples (Amazon S3 API reference,
/// "Signature Calculations for the Authorization Header") and the generic signing test suite (`get-vanilla`,
/// `get-vanilla-query-order-key-case`, `post-vanilla`).
@Suite struct SigV4SignerTests {
    let s3 = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let suite = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private func authorization(_ headers: [(String, String)]) -> String {
        headers.first { $0.0 == "Authorization" }?.1 ?? ""
    }

    @Test func s3GetObjectExample() {
        let request = SignableRequest(method: "GET", encodedPath: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", emptyHash), ("x-amz-date", "20130524T000000Z"),
        ], payloadHash: emptyHash)
        let canonical = s3.canonicalRequest(request).text
        #expect(canonical == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:\(emptyHash)
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            \(emptyHash)
            """)
        #expect(authorization(s3.sign(request, amzDate: "20130524T000000Z")) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3PutObjectExample() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = Crypto.hex(Crypto.sha256(body))
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SignableRequest(method: "PUT", encodedPath: SigV4Signer.encodePath("test$file.text"), headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", hash),
        ], payloadHash: hash)
        #expect(request.encodedPath == "test%24file.text")
        var rooted = request
        rooted.encodedPath = "/" + request.encodedPath
        #expect(authorization(s3.sign(rooted, amzDate: "20130524T000000Z")).hasSuffix("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func s3GetBucketLifecycleExample() {
        let request = SignableRequest(method: "GET", encodedPath: "/", query: [("lifecycle", "")], headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", emptyHash),
        ], payloadHash: emptyHash)
        #expect(authorization(s3.sign(request, amzDate: "20130524T000000Z")).hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    @Test func s3ListObjectsExample() {
        let request = SignableRequest(method: "GET", encodedPath: "/", query: [("max-keys", "2"), ("prefix", "J")], headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", emptyHash),
        ], payloadHash: emptyHash)
        #expect(authorization(s3.sign(request, amzDate: "20130524T000000Z")).hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func suiteVectorsWithSuiteHeaderSet() {
        // With x-amz-content-sha256 already present but excluded, the generic suite's vectors need the bare
        // header set; check them through stringToSign + signing key directly.
        func signature(_ request: SignableRequest) -> String {
            let canonical = suite.canonicalRequest(request).text
            let stringToSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + Crypto.hex(Crypto.sha256(Array(canonical.utf8)))
            return Crypto.hex(Crypto.hmacSHA256(key: suite.signingKey(date: "20150830"), Array(stringToSign.utf8)))
        }
        let headers = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
        #expect(signature(SignableRequest(method: "GET", encodedPath: "/", headers: headers, payloadHash: emptyHash))
            == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(signature(SignableRequest(method: "GET", encodedPath: "/", query: [("Param2", "value2"), ("Param1", "value1")],
                                          headers: headers, payloadHash: emptyHash))
            == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        #expect(signature(SignableRequest(method: "POST", encodedPath: "/", headers: headers, payloadHash: emptyHash))
            == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test func encodingAndDates() {
        #expect(SigV4Signer.encode("a b/c~d*é", keepSlash: true) == "a%20b/c~d%2A%C3%A9")
        #expect(SigV4Signer.encode("a/b", keepSlash: false) == "a%2Fb")
        #expect(SigV4Signer.amzDate(unixSeconds: 1_369_353_600) == "20130524T000000Z")
        #expect(SigV4Signer.amzDate(unixSeconds: 1_440_938_160) == "20150830T123600Z")
        #expect(SigV4Signer.amzDate(unixSeconds: 951_782_400) == "20000229T000000Z")
        #expect(SigV4Signer.collapseSpaces("  a   b  ") == "a b")
    }

    @Test func sessionTokenIsSigned() {
        var signer = s3
        signer.credentials.sessionToken = "token"
        let headers = signer.sign(SignableRequest(method: "GET", encodedPath: "/", headers: [("Host", "h")],
                                                  payloadHash: emptyHash), amzDate: "20130524T000000Z")
        #expect(headers.contains { $0 == ("x-amz-security-token", "token") })
        #expect(authorization(headers).contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"))
    }
}

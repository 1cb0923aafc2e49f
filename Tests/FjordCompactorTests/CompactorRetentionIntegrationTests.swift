import FjordS3
import FjordStorage
import FjordTestSupport
import Testing

/// The compactor's retention test over ``S3ObjectStore`` against a real S3-compatible server (moto) on 127.0.0.1, one
/// bucket per run. Named `…IntegrationTests` so `scripts/test` runs it in the integration phase; the memory and
/// filesystem cases are in ``CompactorStoreTests``.
@Suite(.serialized) struct CompactorRetentionIntegrationTests {
    @Test func retentionWithAFakeClockRemovesOldDataOnlyOnS3() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let objects = S3ObjectStore(config: S3Configuration(
            endpoint: moto.endpoint, bucket: MotoServer.bucketName(), region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: "test", secretAccessKey: "test"), forcePathStyle: true,
            maxRetries: 2, minBackoffNanos: 10_000_000))
        try await objects.createBucket()
        try await CompactorStoreTests.retentionRemovesOldDataOnly(objects)
    }
}

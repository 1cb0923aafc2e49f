public import FjordConfig
import FjordS3
public import FjordStorage

extension RoleRuntime {
    /// The object store the configuration names (`storage_config.object_store`): the local directory, or an
    /// S3-compatible bucket through ``S3ObjectStore``. Every role opens the store through here.
    public static func objectStore(_ config: FjordConfiguration) throws -> any ObjectStore {
        switch config.storage.objectStore {
        case "s3":
            let aws = config.storage.aws
            let bucket = aws.bucketNames.split(separator: ",").first.map { String($0).trimmingSpaces } ?? ""
            return S3ObjectStore(config: S3Configuration(
                endpoint: aws.endpoint, bucket: bucket, region: aws.region,
                credentials: AWSCredentials(accessKeyID: aws.accessKeyID, secretAccessKey: aws.secretAccessKey,
                                            sessionToken: aws.sessionToken.isEmpty ? nil : aws.sessionToken),
                forcePathStyle: aws.s3ForcePathStyle, insecure: aws.insecure, requestTimeoutNanos: aws.requestTimeoutNanos,
                maxRetries: aws.maxRetries, minBackoffNanos: aws.minBackoffNanos, maxBackoffNanos: aws.maxBackoffNanos,
                multipartThreshold: aws.multipartThreshold, partSize: aws.partSize))
        default:
            return try FilesystemObjectStore(root: config.storageDirectory)
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}

import FjordStorage

extension S3ObjectStore {
    /// Uploads `data` in parts of ``S3Configuration/partSize``: initiate, upload every part (each retried on its
    /// own), complete; aborts the upload when a part fails so the bucket keeps no orphaned parts.
    func multipartPut(_ key: String, _ data: [UInt8]) async throws {
        let initiated = try await send("POST", key: key, query: [("uploads", "")])
        guard initiated.status == 200, let uploadID = S3XML.value("UploadId", in: initiated.body) else {
            throw failure(initiated, "CREATE MULTIPART UPLOAD", key)
        }
        do {
            var etags: [String] = []
            var offset = 0
            var number = 1
            while offset < data.count {
                let end = min(offset + config.partSize, data.count)
                let reply = try await send("PUT", key: key,
                                           query: [("partNumber", String(number)), ("uploadId", uploadID)],
                                           body: Array(data[offset..<end]))
                guard reply.status == 200, let etag = reply.headers.first(name: "ETag") else {
                    throw failure(reply, "UPLOAD PART \(number)", key)
                }
                etags.append(etag)
                offset = end
                number += 1
            }
            var xml = "<CompleteMultipartUpload>"
            for (index, etag) in etags.enumerated() {
                xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escape(etag))</ETag></Part>"
            }
            xml += "</CompleteMultipartUpload>"
            let completed = try await send("POST", key: key, query: [("uploadId", uploadID)], body: Array(xml.utf8))
            // S3 may answer 200 with an error document when completion fails late.
            guard completed.status == 200, S3XML.value("Code", in: completed.body) == nil else {
                throw failure(completed, "COMPLETE MULTIPART UPLOAD", key)
            }
        } catch {
            _ = try? await send("DELETE", key: key, query: [("uploadId", uploadID)])
            throw error
        }
    }
}

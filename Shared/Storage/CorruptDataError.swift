/// Stored bytes that cannot be decoded: truncated or corrupted data, a bad checksum, or an unknown format version.
///
/// Decoders never trap on bad input; they throw this with the object or block it came from and what was wrong.
public struct CorruptDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being decoded, e.g. `block`, `chunk tenant/chunks/…`, `index segment …`.
    public var context: String
    public var message: String

    public init(context: String, message: String) {
        self.context = context
        self.message = message
    }

    public var description: String { "corrupt \(context): \(message)" }

    /// The same error with `outer` prepended to its context (e.g. the object key around a block error).
    public func within(_ outer: String) -> CorruptDataError {
        CorruptDataError(context: outer + ": " + context, message: message)
    }
}

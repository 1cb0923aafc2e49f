/// Constants of Fjord's internal wire protocol between roles (byte layout in `docs/wire-protocol.md`).
///
/// Every frame is `[u32 length][24-byte header][body]`, all integers big-endian. The first eight bytes of the header
/// (magic, version) keep their meaning in every future version, so a peer can always say which version it met.
public enum WireProtocol {
    /// Protocol version; bump on every change to the frame header or to any message body.
    public static let version: UInt8 = 1
    /// The two magic bytes at the start of every header: `"FW"` (Fjord Wire).
    public static let magic: (UInt8, UInt8) = (0x46, 0x57)
    /// Bytes of the length prefix.
    public static let lengthFieldSize = 4
    /// Bytes of the fixed header that follows the length prefix.
    public static let headerSize = 24
    /// Bytes a frame adds to its body: length prefix plus header.
    public static let frameOverhead = lengthFieldSize + headerSize
    /// Default largest frame (header plus body, as counted by the length prefix) a peer accepts: 16 MiB.
    public static let defaultMaxFrameBytes = 16 << 20
    /// The smallest maximum frame size a peer may configure (room for a header, an error message and a hello).
    public static let minimumMaxFrameBytes = 4096
}

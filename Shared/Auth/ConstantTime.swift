/// Comparisons of secrets that take the same time wherever the inputs differ.
public enum ConstantTime {
    /// Whether `a` and `b` are equal, looking at every byte (only the lengths may leak through timing).
    @inline(never)
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

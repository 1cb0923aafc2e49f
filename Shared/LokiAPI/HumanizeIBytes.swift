/// go-humanize's `IBytes`: `9 B`, `1.5 KiB`, `12 MiB` (1024-based, one decimal below 10).
enum HumanizeIBytes {
    private static let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]

    static func format(_ size: UInt64) -> String {
        if size < 10 { return "\(size) B" }
        let exponent = min((63 - size.leadingZeroBitCount) / 10, units.count - 1)
        var divisor = 1.0
        for _ in 0..<exponent { divisor *= 1024 }
        let value = ((Double(size) / divisor) * 10 + 0.5).rounded(.down) / 10
        let tenths = Int64((value * 10).rounded())
        if value < 10 {
            return "\(tenths / 10).\(tenths % 10) \(units[exponent])"
        }
        // `%.0f`: round half to even.
        var whole = tenths / 10
        let rest = tenths % 10
        if rest > 5 || (rest == 5 && whole % 2 == 1) { whole += 1 }
        return "\(whole) \(units[exponent])"
    }
}

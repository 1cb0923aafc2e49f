import FjordModel
import Foundation

/// lcnorm's `TimeNormalizer`: rewrites absolute times inside lines and label values relative to BASE
/// (`2026-11-22T05:54:37.164179Z` → `<BASE+10477sT>.164179Z`, 10/13/16/19-digit epochs → `<EPOCH+N.frac s>`), so
/// answers do not depend on BASE.
public struct TimeNormalizer: Sendable {
    public let baseSeconds: Int64
    private static let window: Int64 = 3 * 86400

    // The patterns are constants.
    // swiftlint:disable force_try
    private static let iso = try! NSRegularExpression(pattern:
        #"(?<![0-9])(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?"#
        + #"(Z| ?[+-]\d{2}:?\d{2}(?: [A-Z]{3,5})?| UTC)?(?![0-9])"#)
    private static let epoch = try! NSRegularExpression(pattern: #"(?<![0-9.])(\d{10}|\d{13}|\d{16}|\d{19})(?![0-9])"#)
    private static let offset = try! NSRegularExpression(pattern: #"([+-])(\d{2}):?(\d{2})"#)
    // swiftlint:enable force_try

    public init(baseSeconds: Int64) {
        self.baseSeconds = baseSeconds
    }

    public func text(_ input: String) -> String {
        guard input.unicodeScalars.contains(where: { $0.properties.numericType != nil }) else { return input }
        let rewritten = replace(Self.iso, in: input) { groups in isoReplacement(groups) }
        return replace(Self.epoch, in: rewritten) { groups in epochReplacement(groups[1] ?? "") }
    }

    public func labels(_ labels: [String: String]) -> [String: String] {
        labels.mapValues(text)
    }

    private func replace(_ regex: NSRegularExpression, in input: String, _ body: ([String?]) -> String?) -> String {
        let text = input as NSString
        var output = ""
        var last = 0
        for match in regex.matches(in: input, range: NSRange(location: 0, length: text.length)) {
            var groups: [String?] = []
            for index in 0..<match.numberOfRanges {
                let range = match.range(at: index)
                groups.append(range.location == NSNotFound ? nil : text.substring(with: range))
            }
            guard let replacement = body(groups) else { continue }
            output += text.substring(with: NSRange(location: last, length: match.range.location - last))
            output += replacement
            last = match.range.location + match.range.length
        }
        output += text.substring(from: last)
        return output
    }

    private func isoReplacement(_ groups: [String?]) -> String? {
        guard let year = Int(groups[1] ?? ""), let month = Int(groups[2] ?? ""), let day = Int(groups[3] ?? ""),
              let hour = Int(groups[5] ?? ""), let minute = Int(groups[6] ?? ""), let secondValue = Int(groups[7] ?? "")
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60,
              secondValue < 60, year >= 1 else { return nil }
        let zone = (groups[9] ?? "").trimmingCharacters(in: .whitespaces)
        var zoneOffset: Int64 = 0
        let zoneText = zone as NSString
        if let match = Self.offset.firstMatch(in: zone, range: NSRange(location: 0, length: zoneText.length)),
           match.range.location == 0 {
            let sign: Int64 = zoneText.substring(with: match.range(at: 1)) == "+" ? 1 : -1
            let hours = Int64(zoneText.substring(with: match.range(at: 2))) ?? 0
            let minutes = Int64(zoneText.substring(with: match.range(at: 3))) ?? 0
            zoneOffset = (hours * 3600 + minutes * 60) * sign
        }
        let days = GoTime.daysFromCivil(year: year, month: month, day: day)
        let utc = days * 86400 + Int64(hour * 3600 + minute * 60 + secondValue)
        let seconds = utc - zoneOffset - baseSeconds
        if abs(seconds) > Self.window { return nil }
        let separator = (groups[4] ?? "").trimmingCharacters(in: .whitespaces)
        return "<BASE\(seconds >= 0 ? "+" : "-")\(abs(seconds))s\(separator.isEmpty ? "_" : separator)>"
            + (groups[8] ?? "") + (groups[9] ?? "")
    }

    private func epochReplacement(_ digits: String) -> String? {
        let divisor: Int64
        switch digits.count {
        case 10: divisor = 1
        case 13: divisor = 1000
        case 16: divisor = 1_000_000
        default: divisor = 1_000_000_000
        }
        guard let value = Int64(digits) else { return nil }
        let seconds = value / divisor
        let remainder = value % divisor
        if abs(seconds - baseSeconds) > Self.window { return nil }
        var fraction = ""
        if divisor > 1 {
            let text = String(remainder)
            fraction = "." + String(repeating: "0", count: max(0, digits.count - 10 - text.count)) + text
        }
        let relative = seconds - baseSeconds
        return "<EPOCH\(relative >= 0 ? "+" : "-")\(abs(relative))\(fraction)s>"
    }

    private func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

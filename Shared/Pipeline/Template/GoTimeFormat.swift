import Foundation
import FjordModel

/// Go's reference-time layouts (`2006-01-02T15:04:05.999999999Z07:00`) for formatting and parsing times in
/// templates (`date`, `toDate`, `toDateInZone`, `Format`).
enum GoTimeFormat {
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]
    private static let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    enum Chunk: Equatable {
        case literal(String)
        case longMonth, month, numMonth, zeroMonth
        case longWeekDay, weekDay
        case day, underDay, zeroDay, underYearDay, zeroYearDay
        case hour, hour12, zeroHour12
        case minute, zeroMinute, second, zeroSecond
        case longYear, year
        case pm, lowerPM
        case tz
        case iso8601TZ, iso8601SecondsTZ, iso8601ShortTZ, iso8601ColonTZ, iso8601ColonSecondsTZ
        case numTZ, numSecondsTZ, numShortTZ, numColonTZ, numColonSecondsTZ
        /// `.000` (fixed digits) or `.999` (trailing zeros trimmed); `comma` uses `,`.
        case fraction(digits: Int, trimmed: Bool, comma: Bool)
    }

    /// Splits a layout into chunks (Go's `nextStdChunk`).
    static func chunks(_ layout: String) -> [Chunk] {
        let bytes = Array(layout.utf8)
        var result: [Chunk] = []
        var literal: [UInt8] = []
        var index = 0
        func has(_ text: String) -> Bool {
            let t = Array(text.utf8)
            return index + t.count <= bytes.count && Array(bytes[index..<(index + t.count)]) == t
        }
        func emit(_ chunk: Chunk, _ length: Int) {
            if !literal.isEmpty {
                result.append(.literal(String(decoding: literal, as: UTF8.self)))
                literal = []
            }
            result.append(chunk)
            index += length
        }
        while index < bytes.count {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "J"):
                if has("January") { emit(.longMonth, 7); continue }
                if has("Jan") { emit(.month, 3); continue }
            case UInt8(ascii: "M"):
                if has("Monday") { emit(.longWeekDay, 6); continue }
                if has("Mon") { emit(.weekDay, 3); continue }
                if has("MST") { emit(.tz, 3); continue }
            case UInt8(ascii: "0"):
                if has("01") { emit(.zeroMonth, 2); continue }
                if has("02") { emit(.zeroDay, 2); continue }
                if has("03") { emit(.zeroHour12, 2); continue }
                if has("04") { emit(.zeroMinute, 2); continue }
                if has("05") { emit(.zeroSecond, 2); continue }
                if has("06") { emit(.year, 2); continue }
                if has("002") { emit(.zeroYearDay, 3); continue }
            case UInt8(ascii: "1"):
                if has("15") { emit(.hour, 2); continue }
                emit(.numMonth, 1)
                continue
            case UInt8(ascii: "2"):
                if has("2006") { emit(.longYear, 4); continue }
                emit(.day, 1)
                continue
            case UInt8(ascii: "_"):
                if has("_2") {
                    if has("_2006") {
                        literal.append(c)
                        index += 1
                        emit(.longYear, 4)
                        continue
                    }
                    emit(.underDay, 2)
                    continue
                }
                if has("__2") { emit(.underYearDay, 3); continue }
            case UInt8(ascii: "3"): emit(.hour12, 1); continue
            case UInt8(ascii: "4"): emit(.minute, 1); continue
            case UInt8(ascii: "5"): emit(.second, 1); continue
            case UInt8(ascii: "P"):
                if has("PM") { emit(.pm, 2); continue }
            case UInt8(ascii: "p"):
                if has("pm") { emit(.lowerPM, 2); continue }
            case UInt8(ascii: "-"):
                if has("-07:00:00") { emit(.numColonSecondsTZ, 9); continue }
                if has("-0700") {
                    if has("-070000") { emit(.numSecondsTZ, 7); continue }
                    emit(.numTZ, 5)
                    continue
                }
                if has("-07:00") { emit(.numColonTZ, 6); continue }
                if has("-07") { emit(.numShortTZ, 3); continue }
            case UInt8(ascii: "Z"):
                if has("Z07:00:00") { emit(.iso8601ColonSecondsTZ, 9); continue }
                if has("Z070000") { emit(.iso8601SecondsTZ, 7); continue }
                if has("Z0700") { emit(.iso8601TZ, 5); continue }
                if has("Z07:00") { emit(.iso8601ColonTZ, 6); continue }
                if has("Z07") { emit(.iso8601ShortTZ, 3); continue }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "0") || bytes[index + 1] == UInt8(ascii: "9") {
                    let digit = bytes[index + 1]
                    var end = index + 1
                    while end < bytes.count, bytes[end] == digit { end += 1 }
                    if end >= bytes.count || !Bytes.isDigit(bytes[end]) {
                        emit(.fraction(digits: end - index - 1, trimmed: digit == UInt8(ascii: "9"), comma: c == UInt8(ascii: ",")),
                             end - index)
                        continue
                    }
                }
            default:
                break
            }
            literal.append(c)
            index += 1
        }
        if !literal.isEmpty { result.append(.literal(String(decoding: literal, as: UTF8.self))) }
        return result
    }

    /// Civil date of Unix seconds, also far outside the nanosecond range (Go's zero time is year 1).
    static func civilDate(_ seconds: Int64) -> GoTime.Civil {
        // Shift by whole 400-year cycles (146097 days) into the range GoTime handles.
        let cycle: Int64 = 146_097 * 86_400
        var shifted = seconds
        var cycles = 0
        while shifted < -cycle / 2 { shifted += cycle; cycles += 1 }
        while shifted > cycle / 2 { shifted -= cycle; cycles -= 1 }
        var civil = GoTime.civil(shifted * 1_000_000_000)
        civil.year -= 400 * cycles
        return civil
    }

    private static func pad(_ value: Int, _ width: Int, _ padding: Character = "0") -> String {
        let text = String(value)
        return String(repeating: padding, count: max(0, width - text.count)) + text
    }

    /// Go's `Time.Format(layout)`.
    static func format(_ time: GoTimeValue, layout: String) -> String {
        let localSeconds = time.unixSeconds + Int64(time.offsetSeconds)
        let civil = civilDate(localSeconds)
        let nanos = time.nanosecond
        let days = localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4).
        let yearDay = Int(days - GoTime.daysFromCivil(year: civil.year, month: 1, day: 1)) + 1
        var out = ""
        for chunk in chunks(layout) {
            switch chunk {
            case .literal(let text): out += text
            case .longMonth: out += months[civil.month - 1]
            case .month: out += String(months[civil.month - 1].prefix(3))
            case .numMonth: out += String(civil.month)
            case .zeroMonth: out += pad(civil.month, 2)
            case .longWeekDay: out += GoTimeFormat.days[weekday]
            case .weekDay: out += String(GoTimeFormat.days[weekday].prefix(3))
            case .day: out += String(civil.day)
            case .underDay: out += pad(civil.day, 2, " ")
            case .zeroDay: out += pad(civil.day, 2)
            case .underYearDay: out += pad(yearDay, 3, " ")
            case .zeroYearDay: out += pad(yearDay, 3)
            case .hour: out += pad(civil.hour, 2)
            case .hour12: out += String(civil.hour % 12 == 0 ? 12 : civil.hour % 12)
            case .zeroHour12: out += pad(civil.hour % 12 == 0 ? 12 : civil.hour % 12, 2)
            case .minute: out += String(civil.minute)
            case .zeroMinute: out += pad(civil.minute, 2)
            case .second: out += String(civil.second)
            case .zeroSecond: out += pad(civil.second, 2)
            case .longYear: out += pad(civil.year, 4)
            case .year: out += pad(civil.year % 100, 2)
            case .pm: out += civil.hour >= 12 ? "PM" : "AM"
            case .lowerPM: out += civil.hour >= 12 ? "pm" : "am"
            case .tz:
                if !time.zoneName.isEmpty {
                    out += time.zoneName
                } else {
                    out += zoneOffset(time.offsetSeconds, colon: false, seconds: false, short: false)
                }
            case .iso8601TZ, .iso8601SecondsTZ, .iso8601ShortTZ, .iso8601ColonTZ, .iso8601ColonSecondsTZ:
                if time.offsetSeconds == 0 {
                    out += "Z"
                } else {
                    out += zoneOffset(time.offsetSeconds, colon: chunk == .iso8601ColonTZ || chunk == .iso8601ColonSecondsTZ,
                                      seconds: chunk == .iso8601SecondsTZ || chunk == .iso8601ColonSecondsTZ,
                                      short: chunk == .iso8601ShortTZ)
                }
            case .numTZ, .numSecondsTZ, .numShortTZ, .numColonTZ, .numColonSecondsTZ:
                out += zoneOffset(time.offsetSeconds, colon: chunk == .numColonTZ || chunk == .numColonSecondsTZ,
                                  seconds: chunk == .numSecondsTZ || chunk == .numColonSecondsTZ, short: chunk == .numShortTZ)
            case .fraction(let digits, let trimmed, let comma):
                var text = pad(nanos, 9)
                text = String(text.prefix(digits))
                if trimmed {
                    while text.hasSuffix("0") { text.removeLast() }
                    if !text.isEmpty { out += (comma ? "," : ".") + text }
                } else {
                    out += (comma ? "," : ".") + text
                }
            }
        }
        return out
    }

    private static func zoneOffset(_ offset: Int, colon: Bool, seconds: Bool, short: Bool) -> String {
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        var out = sign + pad(magnitude / 3600, 2)
        if short { return out }
        out += (colon ? ":" : "") + pad(magnitude % 3600 / 60, 2)
        if seconds { out += (colon ? ":" : "") + pad(magnitude % 60, 2) }
        return out
    }

    /// Go's `time.ParseInLocation(layout, text, zone)` for the common chunks; nil on failure.
    static func parse(_ text: String, layout: String, zone: GoZone) -> GoTimeValue? {
        var input = Substring(text)
        var year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0
        var pmSet: Bool?
        var offset: Int?
        var zoneName: String?
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var digits = ""
            while digits.count < maxDigits, let c = input.first, c.isASCII, c.isNumber {
                digits.append(c)
                input.removeFirst()
            }
            guard digits.count >= minDigits else { return nil }
            return Int(digits)
        }
        func word(_ options: [String]) -> Int? {
            for (index, option) in options.enumerated() where input.lowercased().hasPrefix(option.lowercased()) {
                input.removeFirst(option.count)
                return index
            }
            return nil
        }
        func parseOffset(colon: Bool, seconds: Bool, short: Bool) -> Int? {
            guard let sign = input.first, sign == "+" || sign == "-" else { return nil }
            input.removeFirst()
            guard let h = number(2, 2) else { return nil }
            var m = 0, s = 0
            if !short {
                if colon { guard input.first == ":" else { return nil }; input.removeFirst() }
                guard let mm = number(2, 2) else { return nil }
                m = mm
                if seconds {
                    if colon { guard input.first == ":" else { return nil }; input.removeFirst() }
                    guard let ss = number(2, 2) else { return nil }
                    s = ss
                }
            }
            let value = h * 3600 + m * 60 + s
            return sign == "-" ? -value : value
        }
        for chunk in chunks(layout) {
            switch chunk {
            case .literal(let literal):
                guard input.hasPrefix(literal) else { return nil }
                input.removeFirst(literal.count)
            case .longMonth: guard let m = word(months) else { return nil }; month = m + 1
            case .month: guard let m = word(months.map { String($0.prefix(3)) }) else { return nil }; month = m + 1
            case .numMonth, .zeroMonth: guard let m = number(chunk == .zeroMonth ? 2 : 1, 2), (1...12).contains(m) else { return nil }; month = m
            case .longWeekDay: guard word(days) != nil else { return nil }
            case .weekDay: guard word(days.map { String($0.prefix(3)) }) != nil else { return nil }
            case .day, .zeroDay, .underDay:
                if chunk == .underDay, input.first == " " { input.removeFirst() }
                guard let d = number(chunk == .zeroDay ? 2 : 1, 2), (1...31).contains(d) else { return nil }
                day = d
            case .underYearDay, .zeroYearDay: guard number(3, 3) != nil else { return nil }
            case .hour: guard let h = number(2, 2), h < 24 else { return nil }; hour = h
            case .hour12, .zeroHour12: guard let h = number(chunk == .zeroHour12 ? 2 : 1, 2), (1...12).contains(h) else { return nil }; hour = h
            case .minute, .zeroMinute: guard let m = number(chunk == .zeroMinute ? 2 : 1, 2), m < 60 else { return nil }; minute = m
            case .second, .zeroSecond:
                guard let s = number(chunk == .zeroSecond ? 2 : 1, 2), s < 60 else { return nil }
                second = s
                // Go accepts a fractional second after the seconds field even when the layout has none.
                if input.first == "." || input.first == "," , input.dropFirst().first?.isNumber == true {
                    input.removeFirst()
                    var digits = ""
                    while let c = input.first, c.isASCII, c.isNumber { digits.append(c); input.removeFirst() }
                    nanos = Int((digits + "000000000").prefix(9)) ?? 0
                }
            case .longYear: guard let y = number(4, 4) else { return nil }; year = y
            case .year: guard let y = number(2, 2) else { return nil }; year = y >= 69 ? 1900 + y : 2000 + y
            case .pm, .lowerPM:
                guard let p = word(["AM", "PM"]) else { return nil }
                pmSet = p == 1
            case .tz:
                if input.hasPrefix("UTC") { input.removeFirst(3); zoneName = "UTC"; offset = 0; continue }
                var name = ""
                while let c = input.first, c.isUppercase { name.append(c); input.removeFirst() }
                guard name.count >= 3 else { return nil }
                zoneName = name
            case .iso8601TZ, .iso8601SecondsTZ, .iso8601ShortTZ, .iso8601ColonTZ, .iso8601ColonSecondsTZ:
                if input.first == "Z" {
                    input.removeFirst()
                    offset = 0
                    zoneName = "UTC"
                    continue
                }
                fallthrough
            case .numTZ, .numSecondsTZ, .numShortTZ, .numColonTZ, .numColonSecondsTZ:
                let colon = [.iso8601ColonTZ, .iso8601ColonSecondsTZ, .numColonTZ, .numColonSecondsTZ].contains(chunk)
                let seconds = [.iso8601SecondsTZ, .iso8601ColonSecondsTZ, .numSecondsTZ, .numColonSecondsTZ].contains(chunk)
                let short = chunk == .iso8601ShortTZ || chunk == .numShortTZ
                guard let parsed = parseOffset(colon: colon, seconds: seconds, short: short) else { return nil }
                offset = parsed
            case .fraction(let digits, let trimmed, _):
                guard let separator = input.first, separator == "." || separator == "," else {
                    if trimmed { continue }
                    return nil
                }
                input.removeFirst()
                var text = ""
                while let c = input.first, c.isASCII, c.isNumber { text.append(c); input.removeFirst() }
                if !trimmed && text.count != digits { return nil }
                nanos = Int((text + "000000000").prefix(9)) ?? 0
            }
        }
        guard input.isEmpty else { return nil }
        if let pmSet {
            if pmSet && hour < 12 { hour += 12 } else if !pmSet && hour == 12 { hour = 0 }
        }
        let localDays = GoTime.daysFromCivil(year: year, month: month, day: day)
        let localSeconds = localDays * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        // Times outside Int64 nanoseconds (before 1678, after 2262, Go's year 0 of year-less layouts) do not parse.
        func unixNanos(_ seconds: Int64) -> Int64? {
            let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            let (sum, overflowSum) = scaled.addingReportingOverflow(Int64(nanos))
            return overflow || overflowSum ? nil : sum
        }
        if let offset {
            let name = zoneName ?? (offset == 0 && zone.isUTC ? "UTC" : "")
            guard let value = unixNanos(localSeconds - Int64(offset)) else { return nil }
            return GoTimeValue(nanos: value, offsetSeconds: offset, zoneName: name)
        }
        let zoneOffset = zone.offset(forLocalSeconds: localSeconds)
        guard let value = unixNanos(localSeconds - Int64(zoneOffset.offset)) else { return nil }
        return GoTimeValue(nanos: value, offsetSeconds: zoneOffset.offset, zoneName: zoneName ?? zoneOffset.name)
    }
}

/// A time zone by IANA name (`time.LoadLocation`), through Foundation's tz database.
struct GoZone {
    let timeZone: TimeZone?

    static let utc = GoZone(timeZone: nil)

    init(timeZone: TimeZone?) { self.timeZone = timeZone }

    /// Go's `time.LoadLocation`: "" and "UTC" are UTC, "Local" is the process zone (UTC here); unknown names nil.
    static func load(_ name: String) -> GoZone? {
        if name.isEmpty || name == "UTC" || name == "Local" { return .utc }
        guard let zone = TimeZone(identifier: name) else { return nil }
        return GoZone(timeZone: zone)
    }

    var isUTC: Bool { timeZone == nil }

    func offset(at unixSeconds: Int64) -> (offset: Int, name: String) {
        guard let timeZone else { return (0, "UTC") }
        let date = Date(timeIntervalSince1970: TimeInterval(unixSeconds))
        return (timeZone.secondsFromGMT(for: date), timeZone.abbreviation(for: date) ?? timeZone.identifier)
    }

    func offset(forLocalSeconds local: Int64) -> (offset: Int, name: String) {
        let first = offset(at: local)
        return offset(at: local - Int64(first.offset))
    }

    func time(_ nanos: Int64) -> GoTimeValue {
        let seconds = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        let zone = offset(at: seconds)
        return GoTimeValue(nanos: nanos, offsetSeconds: zone.offset, zoneName: zone.name)
    }
}

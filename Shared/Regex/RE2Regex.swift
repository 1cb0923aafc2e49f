import CRE2Shim

/// A compiled RE2 regular expression: LogQL's regex dialect, matched in linear time.
///
/// Matching works on raw UTF-8 bytes, so callers never build a `String` per log line. Instances are immutable after
/// compilation and RE2's matching methods are thread-safe, so one instance can be shared across tasks.
public final class RE2Regex: @unchecked Sendable {
    /// Compilation options that correspond to RE2 / Go inline flags.
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Like `(?i)`.
        public static let caseInsensitive = Options(rawValue: 1)
        /// Like `(?s)`: `.` also matches `\n`.
        public static let dotMatchesNewline = Options(rawValue: 2)
        /// The pattern is a literal string, not a regex.
        public static let literal = Options(rawValue: 4)
        /// Leftmost-longest (POSIX) instead of leftmost-first semantics.
        public static let longestMatch = Options(rawValue: 8)
    }

    /// How a match must be positioned in the searched text.
    public enum Anchor: Int32, Sendable {
        case unanchored = 0
        case start = 1
        case both = 2
    }

    /// The pattern as given by the user.
    public let pattern: String
    /// Number of capturing groups, not counting the whole match.
    public let groupCount: Int
    /// Names of capturing groups; index 0 is the whole match, unnamed groups are `nil`.
    public let groupNames: [String?]

    private let handle: OpaquePointer

    /// Compiles `pattern`. Throws ``RegexError`` with RE2's message when the pattern is invalid.
    public init(_ pattern: String, options: Options = []) throws(RegexError) {
        self.pattern = pattern
        // Go's regexp (LogQL's dialect) accepts `(?<name>…)` as well as `(?P<name>…)`; this RE2 release only the latter.
        let pattern = RE2Regex.translatingNamedGroups(pattern)
        var errorBuffer = [CChar](repeating: 0, count: 512)
        let compiled: OpaquePointer? = pattern.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                fjord_re2_new(chars.baseAddress, chars.count, options.rawValue, &errorBuffer, errorBuffer.count)
            }
        } ?? {
            var copy = Array(pattern.utf8)
            return copy.withUnsafeMutableBytes { raw in
                fjord_re2_new(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count, options.rawValue,
                              &errorBuffer, errorBuffer.count)
            }
        }()
        guard let compiled else {
            let message = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw RegexError(pattern: pattern, message: message)
        }
        handle = compiled
        let groups = Int(fjord_re2_num_groups(compiled))
        groupCount = groups
        var names: [String?] = [nil]
        for index in stride(from: 1, through: groups, by: 1) {
            if let name = fjord_re2_group_name(compiled, Int32(index)) {
                names.append(String(cString: name))
            } else {
                names.append(nil)
            }
        }
        groupNames = names
    }

    deinit { fjord_re2_free(handle) }

    /// Rewrites `(?<name>` to `(?P<name>` outside character classes and escapes.
    static func translatingNamedGroups(_ pattern: String) -> String {
        guard pattern.contains("(?<") else { return pattern }
        var out = ""
        var escaped = false
        var inClass = false
        var characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if inClass {
                if character == "]" { inClass = false }
            } else if character == "[" {
                inClass = true
            } else if character == "(", index + 3 < characters.count, characters[index + 1] == "?",
                      characters[index + 2] == "<", characters[index + 3] != "=", characters[index + 3] != "!" {
                out += "(?P<"
                index += 3
                continue
            }
            out.append(character)
            index += 1
        }
        characters.removeAll()
        return out
    }

    /// True if the regex matches anywhere in `bytes`.
    @inlinable
    public func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        partialMatch(bytes)
    }

    /// True if the regex matches anywhere in `bytes`.
    public func partialMatch(_ bytes: UnsafeRawBufferPointer) -> Bool {
        fjord_re2_partial_match(handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count) != 0
    }

    /// True if the regex matches the whole of `bytes`.
    public func fullMatch(_ bytes: UnsafeRawBufferPointer) -> Bool {
        fjord_re2_full_match(handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count) != 0
    }

    /// True if the regex matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { partialMatch(UnsafeRawBufferPointer($0)) }
    }

    /// True if the regex matches the whole of `text`.
    public func fullyMatches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { fullMatch(UnsafeRawBufferPointer($0)) }
    }

    /// Finds a match in `bytes` starting the search at `start`. Returns the byte ranges of the whole match (index 0)
    /// and of each capturing group (`nil` when a group did not participate), or `nil` when there is no match.
    public func firstMatch(
        in bytes: UnsafeRawBufferPointer, from start: Int = 0, anchor: Anchor = .unanchored
    ) -> [Range<Int>?]? {
        let slots = groupCount + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: slots * 2) { offsets in
            let found = fjord_re2_match(
                handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, start,
                anchor.rawValue, offsets.baseAddress, Int32(slots))
            guard found != 0 else { return nil }
            var ranges: [Range<Int>?] = []
            ranges.reserveCapacity(slots)
            for index in 0..<slots {
                let lower = offsets[2 * index]
                let upper = offsets[2 * index + 1]
                ranges.append(lower < 0 ? nil : lower..<upper)
            }
            return ranges
        }
    }

    /// Finds a match in `text`, returning byte ranges into its UTF-8 view as ``firstMatch(in:from:anchor:)`` does.
    public func firstMatch(in text: String, anchor: Anchor = .unanchored) -> [Range<Int>?]? {
        var text = text
        return text.withUTF8 { firstMatch(in: UnsafeRawBufferPointer($0), anchor: anchor) }
    }
}

/// A regular expression failed to compile.
public struct RegexError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The pattern that failed.
    public var pattern: String
    /// RE2's explanation.
    public var message: String

    public init(pattern: String, message: String) {
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "error parsing regexp: \(message): `\(pattern)`" }
}

/// The part of JMESPath the `json` stage supports: field names (`a.b`), quoted names (`"a.b"`, `a."x-y"`) and array
/// indexes (`a[0]`, `a[-1]`). Other JMESPath (filters, projections, functions) is rejected (docs/agent.md).
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case field(String)
        case index(Int)
    }

    let steps: [Step]
    public let description: String

    /// A path error with the expression.
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws(ParseError) {
        description = text
        var steps: [Step] = []
        let chars = Array(text)
        var index = 0
        var expectField = true
        while index < chars.count {
            let c = chars[index]
            if c == "[" {
                guard let close = chars[index...].firstIndex(of: "]"), let number = Int(String(chars[(index + 1)..<close])) else {
                    throw ParseError(description: "unsupported JMESPath expression \"\(text)\" (fields and [n] only)")
                }
                steps.append(.index(number))
                index = close + 1
                expectField = false
                continue
            }
            if c == "." {
                guard !expectField else { throw ParseError(description: "invalid JMESPath expression \"\(text)\"") }
                expectField = true
                index += 1
                continue
            }
            guard expectField else { throw ParseError(description: "invalid JMESPath expression \"\(text)\"") }
            if c == "\"" {
                var name = ""
                index += 1
                while index < chars.count, chars[index] != "\"" {
                    if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                    name.append(chars[index])
                    index += 1
                }
                guard index < chars.count else { throw ParseError(description: "unterminated quote in \"\(text)\"") }
                index += 1
                steps.append(.field(name))
            } else {
                var name = ""
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" {
                    name.append(chars[index])
                    index += 1
                }
                guard !name.isEmpty else {
                    throw ParseError(description: "unsupported JMESPath expression \"\(text)\" (fields and [n] only)")
                }
                steps.append(.field(name))
            }
            expectField = false
        }
        guard !steps.isEmpty, !expectField else { throw ParseError(description: "invalid JMESPath expression \"\(text)\"") }
        self.steps = steps
    }

    /// The value at this path, or nil when a step is missing.
    public func evaluate(_ root: JSONValue) -> JSONValue? {
        var current = root
        for step in steps {
            switch step {
            case .field(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .index(let position):
                guard let items = current.arrayValue else { return nil }
                let resolved = position < 0 ? items.count + position : position
                guard items.indices.contains(resolved) else { return nil }
                current = items[resolved]
            }
        }
        return current
    }
}

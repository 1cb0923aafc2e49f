import Yams

/// A membership file that cannot be used, with the file and line to fix.
public struct MembershipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, already prefixed with the source and line.
    public var message: String
    /// 1-based line of the offending node, when known.
    public var line: Int?

    public init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    public var description: String { message }
}

/// Parses the membership file (YAML) strictly: unknown keys, wrong types, duplicate ids or addresses within a role,
/// malformed addresses, duplicate listed tokens and mixed zoned/unzoned ingesters are errors naming the line.
///
/// ```yaml
/// tokens_per_ingester: 128        # optional
/// ingesters:
///   - id: ingester-1
///     address: 10.0.0.1:9095
///     zone: zone-a                # optional; all ingesters or none
///     tokens: [1000, 2000000]     # optional; derived from the id when absent
/// queriers:
///   - id: querier-1
///     address: 10.0.0.5:9095
/// ```
public enum MembershipParser {
    /// Parses `yaml`; `source` names the file in error messages.
    public static func parse(yaml: String, source: String = "membership file") throws(MembershipError) -> Membership {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw MembershipError("\(source): invalid YAML: \(yamlProblem(error))", line: yamlLine(error))
        } catch {
            throw MembershipError("\(source): invalid YAML: \(error)")
        }
        guard let root else { throw MembershipError("\(source): the file is empty; it must list at least one ingester") }
        guard let mapping = root.mapping else {
            throw MembershipError("\(source): line \(line(root)): the top level must be a mapping", line: root.mark?.line)
        }
        var context = Context(source: source)
        var tokensPerIngester = Membership.defaultTokensPerIngester
        var members: [MemberRole: [Member]] = [:]
        let roleByKey = Dictionary(uniqueKeysWithValues: MemberRole.allCases.map { ($0.fileKey, $0) })
        for (keyNode, valueNode) in mapping {
            let key = try context.key(keyNode)
            if key == "tokens_per_ingester" {
                let count = try context.integer(valueNode, what: "tokens_per_ingester")
                guard count >= 1, count <= 65536 else {
                    throw context.error(valueNode, "tokens_per_ingester must be between 1 and 65536, got \(count)")
                }
                tokensPerIngester = count
            } else if let role = roleByKey[key] {
                members[role] = try parseMembers(valueNode, role: role, context: &context)
            } else {
                let expected = (["tokens_per_ingester"] + MemberRole.allCases.map(\.fileKey)).joined(separator: ", ")
                throw context.error(keyNode, "unknown key \"\(key)\" (expected one of: \(expected))")
            }
        }
        let ingesters = members[.ingester] ?? []
        guard !ingesters.isEmpty else {
            throw MembershipError("\(source): no ingesters listed; the ring needs at least one")
        }
        if let zoned = context.firstZoned, let unzoned = context.firstUnzoned {
            let lineOfLater = max(zoned.line, unzoned.line)
            throw MembershipError(
                "\(source): line \(lineOfLater): ingester \"\(zoned.id)\" has a zone but \"\(unzoned.id)\" has none; give every ingester a zone or none",
                line: lineOfLater)
        }
        return Membership(tokensPerIngester: tokensPerIngester, members: members)
    }

    private static func parseMembers(_ node: Node, role: MemberRole, context: inout Context) throws(MembershipError) -> [Member] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
            return []
        }
        guard let sequence = node.sequence else {
            throw context.error(node, "\(role.fileKey) must be a list of members")
        }
        var members: [Member] = []
        var lineByID: [String: Int] = [:]
        var lineByAddress: [MemberAddress: Int] = [:]
        for item in sequence {
            let member = try parseMember(item, role: role, context: &context)
            if let first = lineByID[member.id] {
                throw context.error(item, "duplicate \(role.rawValue) id \"\(member.id)\" (first listed on line \(first))")
            }
            if let first = lineByAddress[member.address] {
                throw context.error(item, "duplicate \(role.rawValue) address \(member.address) (first listed on line \(first))")
            }
            lineByID[member.id] = line(item)
            lineByAddress[member.address] = line(item)
            members.append(member)
        }
        return members
    }

    private static func parseMember(_ node: Node, role: MemberRole, context: inout Context) throws(MembershipError) -> Member {
        guard let mapping = node.mapping else {
            throw context.error(node, "each \(role.rawValue) must be a mapping with id and address")
        }
        var id: String?
        var address: MemberAddress?
        var zone: String?
        var tokens: [UInt32]?
        for (keyNode, valueNode) in mapping {
            let key = try context.key(keyNode)
            switch key {
            case "id":
                let text = try context.string(valueNode, what: "id")
                guard !text.isEmpty, text.utf8.count <= 253,
                      text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else {
                    throw context.error(valueNode, "id must be 1–253 characters without spaces or control characters")
                }
                id = text
            case "address":
                let text = try context.string(valueNode, what: "address")
                do {
                    address = try MemberAddress(parsing: text)
                } catch {
                    throw context.error(valueNode, error.description)
                }
            case "zone":
                let text = try context.string(valueNode, what: "zone")
                guard !text.isEmpty else { throw context.error(valueNode, "zone must not be empty (omit it instead)") }
                zone = text
            case "tokens" where role.isOnRing:
                tokens = try context.tokens(valueNode)
            default:
                let allowed = role.isOnRing ? "id, address, zone, tokens" : "id, address, zone"
                throw context.error(keyNode, "unknown key \"\(key)\" in \(role.rawValue) (expected one of: \(allowed))")
            }
        }
        guard let id else { throw context.error(node, "\(role.rawValue) is missing \"id\"") }
        guard let address else { throw context.error(node, "\(role.rawValue) \"\(id)\" is missing \"address\"") }
        if role.isOnRing {
            if zone != nil {
                if context.firstZoned == nil { context.firstZoned = (id, line(node)) }
            } else if context.firstUnzoned == nil {
                context.firstUnzoned = (id, line(node))
            }
        }
        return Member(id: id, address: address, zone: zone, listedTokens: tokens)
    }

    /// Parser state shared across members: the source name and cross-member checks.
    private struct Context {
        var source: String
        /// Listed token → the ingester line that listed it, to reject duplicates across ingesters.
        var tokenOwners: [UInt32: Int] = [:]
        var firstZoned: (id: String, line: Int)?
        var firstUnzoned: (id: String, line: Int)?

        init(source: String) { self.source = source }

        func error(_ node: Node, _ message: String) -> MembershipError {
            MembershipError("\(source): line \(MembershipParser.line(node)): \(message)", line: node.mark?.line)
        }

        func key(_ node: Node) throws(MembershipError) -> String {
            guard case .scalar(let scalar) = node else { throw error(node, "keys must be plain strings") }
            return scalar.string
        }

        func string(_ node: Node, what: String) throws(MembershipError) -> String {
            guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a string") }
            return scalar.string
        }

        func integer(_ node: Node, what: String) throws(MembershipError) -> Int {
            guard case .scalar(let scalar) = node, let value = MembershipParser.decimal(scalar.string) else {
                throw error(node, "\(what) must be a whole number")
            }
            return value
        }

        mutating func tokens(_ node: Node) throws(MembershipError) -> [UInt32] {
            guard let sequence = node.sequence, !sequence.isEmpty else {
                throw error(node, "tokens must be a non-empty list of numbers from 0 to 4294967295")
            }
            var tokens: [UInt32] = []
            tokens.reserveCapacity(sequence.count)
            for item in sequence {
                guard case .scalar(let scalar) = item, let value = MembershipParser.decimal(scalar.string),
                      value >= 0, value <= Int(UInt32.max) else {
                    throw error(item, "token must be a number from 0 to 4294967295")
                }
                let token = UInt32(value)
                let here = MembershipParser.line(item)
                if let first = tokenOwners[token] {
                    throw error(item, "duplicate token \(token) (already listed on line \(first))")
                }
                tokenOwners[token] = here
                tokens.append(token)
            }
            return tokens
        }
    }

    /// A plain decimal number (no sign other than '-', no underscores, no hex).
    static func decimal(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        case .duplicatedKeysInMapping(_, let context):
            return context.mark.line
        default:
            return nil
        }
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line): duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}

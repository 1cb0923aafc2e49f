import FjordModel

/// One tenant's share of a query: the tenant and the selector matchers to send to its data.
struct TenantSelection: Sendable {
    var tenant: String
    var matchers: [LabelMatcher]
}

/// Multi-tenant reads (`X-Scope-OrgID: a|b`), as Loki's `MultiTenantQuerier` does them: matchers on
/// `__tenant_id__` pick tenants and are removed from the selector, matchers on `original___tenant_id__` are renamed
/// back to `__tenant_id__`, and every result gets `__tenant_id__=<tenant>` (an existing `__tenant_id__` is kept as
/// `original___tenant_id__`). A single tenant is queried unchanged.
struct TenantScope: Sendable {
    static let label = "__tenant_id__"
    static let retainedLabel = "original___tenant_id__"

    let selections: [TenantSelection]
    /// True when results must carry `__tenant_id__`.
    let labelsResults: Bool

    init(tenants: [String], matchers: [LabelMatcher]) {
        guard tenants.count > 1 else {
            selections = tenants.map { TenantSelection(tenant: $0, matchers: matchers) }
            labelsResults = false
            return
        }
        labelsResults = true
        var unrelated: [LabelMatcher] = []
        var matched = tenants
        for matcher in matchers {
            switch matcher.name {
            case Self.label:
                matched = matched.filter { matcher.matches($0) }
            case Self.retainedLabel:
                // Matchers on a renamed label are rewritten to the stored name; the regex compiled before, so the
                // copy compiles too.
                if let renamed = try? LabelMatcher(name: Self.label, kind: matcher.kind, value: matcher.value) {
                    unrelated.append(renamed)
                }
            default:
                unrelated.append(matcher)
            }
        }
        selections = matched.map { TenantSelection(tenant: $0, matchers: unrelated) }
    }

    /// `labels` as a multi-tenant result of `tenant` reports them.
    static func labeling(_ labels: Labels, tenant: String) -> Labels {
        var result = labels
        if let existing = labels[label] {
            result.set(retainedLabel, existing)
        }
        result.set(label, tenant)
        return result
    }
}

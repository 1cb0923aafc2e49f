/// Loki's per-tenant push validation limits (`limits_config`), with Loki's defaults. Durations are nanoseconds.
public struct ValidationLimits: Sendable, Hashable {
    /// `max_label_names_per_series` (a `service_name` label is not counted).
    public var maxLabelNamesPerSeries = 15
    /// `max_label_name_length`, bytes.
    public var maxLabelNameLength = 1024
    /// `max_label_value_length`, bytes.
    public var maxLabelValueLength = 2048
    /// `max_line_size`, bytes; 0 = unlimited.
    public var maxLineSize = 256 * 1024
    /// `max_line_size_truncate`: cut long lines instead of rejecting them.
    public var maxLineSizeTruncate = false
    /// `max_line_size_truncate_identifier`: appended to a cut line (counted in `maxLineSize`).
    public var maxLineSizeTruncateIdentifier = ""
    /// `reject_old_samples`.
    public var rejectOldSamples = true
    /// `reject_old_samples_max_age` (168h).
    public var rejectOldSamplesMaxAge: Int64 = 168 * 3600 * 1_000_000_000
    /// `creation_grace_period` (10m): how far in the future an entry may be.
    public var creationGracePeriod: Int64 = 10 * 60 * 1_000_000_000
    /// `allow_structured_metadata`.
    public var allowStructuredMetadata = true
    /// `max_structured_metadata_size`: Σ name+value bytes per entry; 0 = unlimited.
    public var maxStructuredMetadataSize = 64 * 1024
    /// `max_structured_metadata_entries_count`; 0 = unlimited.
    public var maxStructuredMetadataEntriesCount = 128
    /// `increment_duplicate_timestamps`.
    public var incrementDuplicateTimestamps = false
    /// `discover_service_name`: labels whose value becomes `service_name`; empty disables the discovery.
    public var discoverServiceName = [
        "service", "app", "application", "app_name", "name", "app_kubernetes_io_name", "container",
        "container_name", "k8s_container_name", "component", "workload", "job", "k8s_job_name",
    ]
    /// `discover_log_levels`: add `detected_level` structured metadata.
    public var discoverLogLevels = true
    /// `log_level_fields`: label, metadata and line field names holding a level.
    public var logLevelFields = [
        "level", "LEVEL", "Level", "log.level", "severity", "SEVERITY", "Severity", "SeverityText", "lvl", "LVL",
        "Lvl", "severity_text", "Severity_Text", "SEVERITY_TEXT",
    ]
    /// `log_level_from_json_max_depth`: objects searched for a level field in JSON lines; ≤ 0 = unlimited.
    public var logLevelFromJSONMaxDepth = 2
    /// `enforced_labels`: labels every stream must carry.
    public var enforcedLabels: [String] = []

    public init() {}
}

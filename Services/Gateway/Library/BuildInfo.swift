/// Version information reported by `/loki/api/v1/status/buildinfo`.
///
/// Grafana reads `version` for feature detection, so Fjord reports the Loki API level it implements with its own
/// version as a semver pre-release suffix.
public enum BuildInfo {
    /// Fjord's own version.
    public static let fjordVersion = "0.1.0"
    /// The Loki API level Fjord answers like.
    public static let lokiCompatibleVersion = "3.7.0"
    /// The `version` field.
    public static var version: String { "\(lokiCompatibleVersion)-fjord.\(fjordVersion)" }

    /// The JSON body of `/loki/api/v1/status/buildinfo`.
    public static var json: String {
        #"{"version":"\#(version)","revision":"","branch":"main","buildUser":"fjord","buildDate":"","goVersion":"swift"}"#
    }
}

public import FjordLokiAPI

/// Fjord's version as reported by `/loki/api/v1/status/buildinfo`.
///
/// Grafana reads `version` for feature detection, so Fjord reports the Loki API level it implements with its own
/// version as a semver pre-release suffix.
public enum FjordVersion {
    /// Fjord's own version.
    public static let fjord = "0.1.0"
    /// The Loki API level Fjord answers like.
    public static let lokiCompatible = "3.7.0"

    /// The build information answered on `/loki/api/v1/status/buildinfo`.
    public static var buildInfo: BuildInfo {
        BuildInfo(version: "\(lokiCompatible)-fjord.\(fjord)", revision: "", branch: "main", buildUser: "fjord",
                  buildDate: "", goVersion: "swift")
    }
}

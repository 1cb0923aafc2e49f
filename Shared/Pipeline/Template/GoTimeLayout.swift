/// Go's `time.ParseInLocation` for callers outside the pipeline (the agent's `timestamp` stage): the same layout
/// support the templates' `toDate` has.
public enum GoTimeLayout {
    /// Unix nanoseconds of `text` read with Go `layout` in the IANA zone `location` ("" = UTC); nil when the text does
    /// not fit the layout or the zone is unknown.
    public static func parse(_ text: String, layout: String, location: String = "") -> Int64? {
        guard let zone = GoZone.load(location), let value = GoTimeFormat.parse(text, layout: layout, zone: zone),
              !value.isZero else { return nil }
        return value.nanos
    }

    /// Whether `location` names a zone Go's `time.LoadLocation` would load.
    public static func isKnownLocation(_ location: String) -> Bool { GoZone.load(location) != nil }
}

import FjordLogQL
import FjordModel

/// The conversions of `| unwrap` (Loki's `convertFloat`, `convertDuration`, `convertBytes`).
enum UnwrapConversion {
    struct Failure: Error {
        let message: String
    }

    static func convert(_ raw: UnsafeRawBufferPointer, _ conversion: UnwrapExpr.Conversion) -> Result<Double, Failure> {
        switch conversion {
        case .none:
            return GoStrconv.parseFloat(raw).mapError { Failure(message: $0.message) }
        case .duration, .durationSeconds:
            do {
                return .success(seconds(try GoDuration.parse(Bytes.string(raw))))
            } catch {
                return .failure(Failure(message: error.message))
            }
        case .bytes:
            do {
                return .success(Double(try HumanizeBytes.parse(Bytes.string(raw))))
            } catch {
                return .failure(Failure(message: error.message))
            }
        }
    }

    /// Go's `time.Duration.Seconds()`.
    static func seconds(_ nanos: Int64) -> Double {
        let whole = nanos / 1_000_000_000
        let fraction = nanos % 1_000_000_000
        return Double(whole) + Double(fraction) / 1e9
    }
}

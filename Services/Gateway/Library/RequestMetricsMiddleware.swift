import FjordRuntime
import Hummingbird
import Metrics

/// Records `loki_request_duration_seconds{method,route,status_code}` for every request, like Loki's HTTP
/// instrumentation, and turns the router's "no route" answer into Go's `404 page not found` text.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "other"
            let elapsed = ContinuousClock.now - started
            Timer(label: "loki_request_duration_seconds",
                  dimensions: [("method", request.method.rawValue), ("route", route), ("status_code", String(status))],
                  preferredDisplayUnit: .seconds)
                .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as HTTPError where error.status == .notFound {
            status = 404
            throw GatewayError(status: 404, message: "404 page not found\n")
        } catch let error as GatewayError {
            status = Int(error.status.code)
            throw error
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }
}

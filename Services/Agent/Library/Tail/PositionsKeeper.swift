import Foundation
import Logging

/// The I/O shell around ``AckTracker`` and the positions file: sources open here and learn where to resume,
/// clients report acknowledged entries here, and the file is rewritten (atomically, fsynced) when positions moved,
/// at most once per `sync_period` and at shutdown.
public actor PositionsKeeper {
    let path: String
    let syncPeriodNanos: Int64
    let logger: Logger
    private var tracker: AckTracker
    private var stored: [String: ResumePoint]
    private var nextSource = 0
    private var changed = false
    private var lastSync: Int64 = 0

    public init(config: PositionsConfig, consumers: Int, logger: Logger) throws(AgentConfigError) {
        path = config.filename
        syncPeriodNanos = config.syncPeriodNanos
        self.logger = logger
        tracker = AckTracker(consumers: consumers)
        if let text = try? String(contentsOfFile: config.filename, encoding: .utf8) {
            do {
                stored = try PositionsFile.decode(text)
            } catch {
                guard config.ignoreInvalidYAML else { throw error }
                logger.warning("ignoring an invalid positions file", metadata: ["path": "\(config.filename)", "error": "\(error)"])
                stored = [:]
            }
        } else {
            stored = [:]
        }
    }

    /// The stored point of `key`.
    public func stored(_ key: String) -> ResumePoint? { stored[key] }

    /// The stored point of a file: under its path when the inode matches (or none was recorded), else under any key
    /// with that inode (the file was renamed since).
    public func storedFile(path: String, inode: UInt64) -> ResumePoint? {
        if let point = stored[path], point.inode == nil || point.inode == inode { return point }
        return stored.values.sorted { $0.key < $1.key }.first { $0.inode == inode }
    }

    /// Registers a source resuming at `start`; returns its id.
    public func open(start: ResumePoint) -> Int {
        nextSource += 1
        tracker.open(source: nextSource, start: start)
        record(start)
        return nextSource
    }

    public func close(source: Int) { tracker.close(source: source) }

    /// Whether lines of `source` wait for acknowledgement.
    public func hasPending(source: Int) -> Bool { tracker.hasPending(source: source) }

    /// Registers lines read from `source`; returns the sequence number of the first.
    public func read(source: Int, points: [ResumePoint]) -> UInt64 {
        var first: UInt64 = 0
        for (index, point) in points.enumerated() {
            let seq = tracker.read(source: source, resumeAfter: point)
            if index == 0 { first = seq }
        }
        return first
    }

    public func reposition(source: Int, to point: ResumePoint) {
        tracker.reposition(source: source, to: point)
        absorb()
    }

    /// One client acknowledged these entries (`all`: done for every client, e.g. dropped by the pipeline).
    public func acknowledge(_ tokens: [AckToken], all: Bool = false) {
        for token in tokens { tracker.acknowledge(token, all: all) }
        absorb()
    }

    /// Forgets a key (its file is gone for good).
    public func remove(key: String) {
        if stored.removeValue(forKey: key) != nil { changed = true }
    }

    private func absorb() {
        for point in tracker.takeChanged() { record(point) }
    }

    private func record(_ point: ResumePoint) {
        if stored[point.key] != point {
            stored[point.key] = point
            changed = true
        }
    }

    /// Writes the file when positions moved and `sync_period` passed (always with `force`).
    public func sync(now: Int64, force: Bool = false) {
        guard changed, force || now - lastSync >= syncPeriodNanos else { return }
        do {
            try PositionsFile.writeAtomically(PositionsFile.encode(stored), to: path)
            changed = false
            lastSync = now
        } catch {
            logger.error("cannot save positions", metadata: ["error": "\(error)"])
        }
    }

    /// Everything stored (for tests and `/targets`).
    public var all: [String: ResumePoint] { stored }
}

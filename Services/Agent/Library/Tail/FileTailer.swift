import Foundation

/// Follows one file path (the I/O shell around ``TailDecision`` and ``LineSplitter``): reads new bytes, keeps
/// reading a renamed file to its end before opening the new one at the path, starts over when the file was
/// truncated, and runs every line through the target's pipeline.
final class FileTailer {
    let path: String
    let key: String
    let labels: [String: String]
    let pipeline: AgentPipeline
    let context: SourceContext
    private var fd: Int32 = -1
    private var openInode: UInt64?
    private var offset: Int64 = 0
    private var splitter = LineSplitter(offset: 0)
    private var source = 0
    private var goneSince: Int64?

    init(path: String, key: String, labels: [String: String], stages: [StageConfig], context: SourceContext) {
        self.path = path
        self.key = key
        var labels = labels
        labels["filename"] = path
        self.labels = labels
        pipeline = AgentPipeline(stages)
        self.context = context
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Follows the file until it is gone for good (or the task is cancelled).
    func run() async {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        while !Task.isCancelled {
            let observation = observe()
            let now = context.clock()
            switch TailDecision.decide(observation) {
            case .read:
                goneSince = nil
                let count = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
                guard count > 0 else {
                    if !(await pause(context.pollNanos)) { break }
                    continue
                }
                offset += Int64(count)
                AgentMetrics.readBytes(path: path, count)
                let lines = splitter.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), now: now)
                await emit(lines, now: now)
            case .truncated:
                context.logger.info("file was truncated; reading it from the start", metadata: ["path": "\(path)"])
                offset = 0
                splitter.reset(offset: 0)
                await context.positions.reposition(source: source, to: point(0))
            case .openPath:
                goneSince = nil
                await emitPartial(now: now, force: true)
                await openPath()
            case .wait, .removed:
                await emitPartial(now: now, force: false)
                await context.router.deliver(pipeline.flush(now: now, force: false))
                if TailDecision.decide(observation) == .removed {
                    if goneSince == nil { goneSince = now }
                    // Gone for a while and everything read is acknowledged: stop following.
                    if let since = goneSince, now - since >= max(4 * context.pollNanos, 1_000_000_000),
                       await !context.positions.hasPending(source: source) {
                        await finish(now: now)
                        await context.positions.remove(key: key)
                        return
                    }
                }
                if !(await pause(context.pollNanos)) { break }
            }
        }
        await finish(now: context.clock())
    }

    private func finish(now: Int64) async {
        await emitPartial(now: now, force: true)
        await context.router.deliver(pipeline.flush(now: now, force: true))
    }

    private func point(_ offset: Int64) -> ResumePoint {
        ResumePoint(key: key, value: String(offset), inode: openInode)
    }

    private func observe() -> TailObservation {
        var size: Int64 = 0
        if fd >= 0 {
            var info = stat()
            if fstat(fd, &info) == 0 { size = Int64(info.st_size) }
        }
        var pathInfo = stat()
        let pathInode = stat(path, &pathInfo) == 0 ? UInt64(pathInfo.st_ino) : nil
        return TailObservation(openInode: fd >= 0 ? openInode : nil, openSize: size, offset: offset, pathInode: pathInode)
    }

    private func openPath() async {
        let first = source == 0
        if fd >= 0 { close(fd) }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            openInode = nil
            return
        }
        var info = stat()
        fstat(fd, &info)
        openInode = UInt64(info.st_ino)
        let inode = UInt64(info.st_ino)
        offset = 0
        if first, let stored = await context.positions.storedFile(path: path, inode: inode),
           let value = Int64(stored.value), value <= Int64(info.st_size) {
            offset = value
        }
        splitter.reset(offset: offset)
        if first {
            source = await context.positions.open(start: point(offset))
            context.logger.info("tailing new file", metadata: ["path": "\(path)", "offset": "\(offset)"])
        } else {
            context.logger.info("following the file at the path after rotation", metadata: ["path": "\(path)"])
            await context.positions.reposition(source: source, to: point(0))
        }
    }

    private func emit(_ lines: [(line: [UInt8], endOffset: Int64)], now: Int64) async {
        guard !lines.isEmpty else { return }
        AgentMetrics.readLines(path: path, lines.count)
        let first = await context.positions.read(source: source, points: lines.map { point($0.endOffset) })
        var output = PipelineOutput()
        for (index, line) in lines.enumerated() {
            let seq = first + UInt64(index)
            let entry = AgentEntry(labels: labels, timestamp: now, line: String(decoding: line.line, as: UTF8.self),
                                   ack: AckToken(source: source, first: seq, last: seq))
            let result = pipeline.process(entry, now: now)
            output.entries += result.entries
            output.dropped += result.dropped
        }
        await context.router.deliver(output)
    }

    private func emitPartial(now: Int64, force: Bool) async {
        guard fd >= 0 || force, let partial = splitter.takePartial(now: now, timeout: context.partialLineTimeoutNanos, force: force)
        else { return }
        await emit([partial], now: now)
    }
}

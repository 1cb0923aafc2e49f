import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests (our executables, memcached, moto, curl, openssl), started with `posix_spawn` and
/// reaped with `waitpid`. Foundation's `Process` is not used: in loaded full test runs its `waitUntilExit` kept
/// spinning after the child had exited, which held both of the 2-core machine's Swift concurrency threads and froze
/// the whole test process. Children get only stdin/stdout/stderr (every other descriptor is closed), so a listening
/// socket of the test process never outlives its test inside a child.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let executable: String
    /// The raw wait status once reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Where a child's standard output and error go.
    public enum Output: Sendable {
        case discard
        /// Appended to this file (created when missing).
        case file(String)
        /// To these already open descriptors (pipes), duplicated into the child.
        case descriptors(stdout: Int32, stderr: Int32)
    }

    /// Starts `executable` with `arguments`; `environment` replaces the test process's when given.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                output: Output = .discard, stdin: Int32? = nil, workingDirectory: String? = nil) throws {
        self.executable = executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        switch output {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .descriptors(let out, let err):
            posix_spawn_file_actions_adddup2(&actions, out, 1)
            posix_spawn_file_actions_adddup2(&actions, err, 2)
        }
        _ = GNUSpawnActions.closeFrom?(&actions, 3)
        if let workingDirectory {
            guard let chdir = GNUSpawnActions.changeDirectory else {
                throw ChildProcessError("posix_spawn_file_actions_addchdir_np is missing (glibc 2.29 or later needed)")
            }
            _ = chdir(&actions, workingDirectory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal handling in the child (the test runner may ignore SIGPIPE or block signals).
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let pairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = pairs.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw ChildProcessError("\(executable) could not start: \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    /// Whether the child still runs (reaps it once it has exited).
    public var isRunning: Bool { reap() == nil }

    /// The exit code, or 128 + the signal that ended it; nil while it runs.
    public var exitCode: Int32? {
        guard let status = reap() else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends `signal` unless the child has been reaped already (its pid could belong to someone else by then).
    public func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// Waits without holding a thread: polls every 20 ms, up to `timeout`. True once the child has exited.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Blocks the calling thread until the child exits, up to `timeout` (for synchronous clean-up paths such as
    /// `defer` and `deinit`). True once the child has exited.
    @discardableResult
    public func waitForExitBlocking(timeout: Duration = .seconds(60)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// Stops the child: `signal` (SIGTERM by default), SIGKILL if it is still there after `grace`, then reaps it.
    /// Blocks the calling thread; bounded by `grace` plus a few seconds.
    public func stopBlocking(signal: Int32 = SIGTERM, grace: Duration = .seconds(30)) {
        send(signal)
        if !waitForExitBlocking(timeout: grace) {
            send(SIGKILL)
            waitForExitBlocking(timeout: .seconds(10))
        }
    }

    private func reap() -> Int32? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                reaped = status
            } else if result < 0 && errno == ECHILD {
                reaped = 0  // reaped elsewhere; treat as exited
            }
            return reaped
        }
    }

    /// Runs a program to completion (bounded by `timeout`, then SIGKILL), feeding `stdin`; its exit code,
    /// standard output and standard error. Blocking: call it off the Swift concurrency pool (``OffPool``) from
    /// async code that runs while other tests do.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String]? = nil,
                           timeout: Duration = .seconds(120)) throws -> (Int32, Data, Data) {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        var inPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, pipe(&inPipe) == 0 else {
            throw ChildProcessError("pipe() failed: errno \(errno)")
        }
        for descriptor in outPipe + errPipe + inPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, environment: environment,
                                     output: .descriptors(stdout: outPipe[1], stderr: errPipe[1]), stdin: inPipe[0])
        } catch {
            (outPipe + errPipe + inPipe).forEach { close($0) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        close(inPipe[0])
        let collected = Mutex<(Data, Data)>((Data(), Data()))
        let readers = DispatchGroup()
        for (index, descriptor) in [outPipe[0], errPipe[0]].enumerated() {
            readers.enter()
            Thread.detachNewThread {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        data.append(contentsOf: buffer[0..<count])
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                close(descriptor)
                collected.withLock { if index == 0 { $0.0 = data } else { $0.1 = data } }
                readers.leave()
            }
        }
        if let stdin {
            stdin.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(inPipe[1], bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
        close(inPipe[1])
        if !child.waitForExitBlocking(timeout: timeout) {
            child.send(SIGKILL)
            child.waitForExitBlocking(timeout: .seconds(10))
        }
        _ = readers.wait(timeout: .now() + 10)
        let (out, err) = collected.withLock { $0 }
        return (child.exitCode ?? -1, out, err)
    }
}

/// glibc's GNU extensions to posix_spawn's file actions, looked up at run time because Swift's Glibc module does
/// not declare them: close every descriptor from N up (2.34) and change directory (2.29).
enum GNUSpawnActions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    static let changeDirectory: ChangeDirectory? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: ChangeDirectory.self) }
}

/// Why a child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

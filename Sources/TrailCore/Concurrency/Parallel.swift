import Dispatch
import Foundation
import Git
import GitFormat

/// Read-heavy passes over records and trees, spread over every core. Each worker opens its own
/// repository handle: libgit2 handles are not shared between threads.
enum Parallel {
    /// Runs `body(worker, repository)` for workers 0..<`workers` at once (one when there is a
    /// single core) and returns their results in worker order; the first error thrown wins.
    static func perform<R>(workers: Int, repositoryPath: String,
                           _ body: (_ worker: Int, _ repository: Repository) throws -> R) throws -> [R] {
        let workers = max(1, workers)
        var results = [Result<R, Error>?](repeating: nil, count: workers)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                base[w] = Result { try body(w, try Repository(openBare: repositoryPath)) }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// How many workers `items` pieces of work deserve: every core, but no more than one per
    /// `minimumPerWorker` items (below that, opening handles costs more than it saves).
    static func workerCount(items: Int, minimumPerWorker: Int = 1) -> Int {
        max(1, min(ProcessInfo.processInfo.activeProcessorCount, items / max(1, minimumPerWorker)))
    }

    /// `transform` applied to every item, in order, on every core.
    static func map<T, R>(_ items: [T], repositoryPath: String, _ transform: (Repository, T) throws -> R) throws -> [R] {
        guard !items.isEmpty else { return [] }
        let workers = workerCount(items: items.count, minimumPerWorker: 512)
        let chunk = (items.count + workers - 1) / workers
        let parts = try perform(workers: workers, repositoryPath: repositoryPath) { w, repo in
            try items[min(w * chunk, items.count)..<min((w + 1) * chunk, items.count)].map { try transform(repo, $0) }
        }
        var all: [R] = []
        all.reserveCapacity(items.count)
        for part in parts { all += part }
        return all
    }
}

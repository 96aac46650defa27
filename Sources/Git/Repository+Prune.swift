import GitFormat

extension Repository {
    /// Removes every copy of `ids` from this repository's object folder for good (see
    /// `ObjectPruner`), then re-reads the folder so that later reads see the new packs.
    public func removeObjects(_ ids: Set<ObjectID>, onPackReplaced: () -> Void = {}) throws -> ObjectPruner.Result {
        let result = try ObjectPruner.remove(ids, fromObjectsDirectory: objectsDirectory, read: { try read($0) },
                                             onPackReplaced: onPackReplaced)
        try refreshObjects()
        return result
    }
}

using System.Globalization;

namespace Feeds.Tests.Support;

/// <summary>
/// Whether a process is inside a SQLite write transaction, seen from outside it. In WAL mode the one writer holds an
/// exclusive POSIX lock on byte 120 of the <c>-shm</c> file (WAL_WRITE_LOCK: UNIX_SHM_BASE, 120, plus lock 0, in
/// SQLite's os_unix.c) from its first write until commit or rollback; Linux lists every such lock in /proc/locks
/// (proc(5)). Nothing else SQLite locks at byte 120: the main file's locks sit at 1 GiB and up, the checkpointer and
/// readers use bytes 121–127. Read while the process is frozen, it says whether a kill now lands mid-write.
/// </summary>
public static class SqliteWriteLock
{
    private const long WalWriteLockByte = 120;

    public static bool IsHeldBy(int pid)
    {
        // "1: POSIX  ADVISORY  WRITE 4852 fe:00:11657658 120 120"; a waiting lock is listed as "1: -> POSIX ...".
        foreach (var line in File.ReadLines("/proc/locks"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is [_, "POSIX", "ADVISORY", "WRITE", var owner, _, var start, var end]
                && owner == pid.ToString(CultureInfo.InvariantCulture)
                && start == end && long.Parse(start, CultureInfo.InvariantCulture) == WalWriteLockByte)
                return true;
        }
        return false;
    }
}

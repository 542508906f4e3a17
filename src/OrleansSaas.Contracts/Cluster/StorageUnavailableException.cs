namespace OrleansSaas.Contracts.Cluster;

/// <summary>
/// PostgreSQL could not be reached or refused the work for a reason that passes (a restart, a failover).
/// Crosses from silo to gateway in place of the driver's own exception, which has no wire format; the
/// gateway answers 503 with Retry-After.
/// </summary>
[GenerateSerializer, Alias("storage-unavailable")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException() : base("The database is not available right now.")
    {
    }

    public StorageUnavailableException(string message) : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>True when this exception or a driver's database failure is anywhere in the chain (Orleans may wrap it).</summary>
    public static bool IsInChain(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
            if (current is StorageUnavailableException or System.Data.Common.DbException) return true;
        return false;
    }
}

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
}

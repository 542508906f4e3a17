using System.Data.Common;
using Orleans.Serialization;

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
            if (current is StorageUnavailableException or DbException) return true;
        return false;
    }

    /// <summary>
    /// Lets a driver's database exception cross the wire as an ordinary exception. Orleans wraps failures no call filter
    /// sees (a grain's activation, its state loading) with the driver's exception inside; without this the reply cannot
    /// be serialized and the caller gets a codec error in place of a database failure. Silo and client both need it.
    /// </summary>
    public static void AllowOnTheWire(ExceptionSerializationOptions options)
    {
        var others = options.SupportedExceptionTypeFilter;
        options.SupportedExceptionTypeFilter = type => typeof(DbException).IsAssignableFrom(type) || others(type);
    }
}

using System.Data.Common;
using Orleans.Serialization;

namespace OrleansSaas.Contracts.Cluster;

/// <summary>
/// PostgreSQL could not be reached or refused the work for a reason that passes (a restart, a failover). The driver's
/// exception crosses from silo to gateway inside whatever Orleans wraps it in; the gateway answers 503 with Retry-After.
/// </summary>
public static class DatabaseFailure
{
    /// <summary>True when a driver's database failure is anywhere in the chain (Orleans may wrap it).</summary>
    public static bool IsInChain(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
            if (current is DbException) return true;
        return false;
    }

    /// <summary>
    /// Lets a driver's database exception cross the wire as an ordinary exception, whether a grain call threw it or
    /// Orleans wrapped it (a grain's activation, its state loading); without this the reply cannot be serialized and
    /// the caller gets a codec error in place of a database failure. Silo and client both need it.
    /// </summary>
    public static void AllowOnTheWire(ExceptionSerializationOptions options)
    {
        var others = options.SupportedExceptionTypeFilter;
        options.SupportedExceptionTypeFilter = type => typeof(DbException).IsAssignableFrom(type) || others(type);
    }
}

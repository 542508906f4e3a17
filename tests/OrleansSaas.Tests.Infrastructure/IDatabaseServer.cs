namespace OrleansSaas.Tests.Infrastructure;

/// <summary>Where a <see cref="TestCluster"/> gets its database: one server, or a primary with its standby.</summary>
public interface IDatabaseServer
{
    /// <summary>Creates an empty database with a unique name and returns the connection string the product should use.</summary>
    Task<string> CreateDatabaseAsync(string prefix);
}

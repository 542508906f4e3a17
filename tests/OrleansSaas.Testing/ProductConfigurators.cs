using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansSaas.Hosting;

namespace OrleansSaas.Testing;

/// <summary>
/// Each in-process silo: the host's part (membership timings, clustering on PostgreSQL) as silo/Program.cs does it,
/// then the product's registration, the very method the silo host calls. TestingHost sets the cluster id and ports.
/// </summary>
public sealed class ProductSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo)
    {
        var connectionString = silo.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set for the in-process silo.");
        silo.Configure<ClusterMembershipOptions>(silo.Configuration.GetSection("Membership"));
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        silo.AddOrleansSaas(silo.Configuration, connectionString);
    }
}

/// <summary>The test's cluster client finds the silos in the same membership table, as the gateway does.</summary>
public sealed class ProductClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder client) =>
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = configuration.GetConnectionString("Postgres");
        });
}

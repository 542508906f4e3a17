using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Data;
using OrleansSaas.Grains;
using OrleansSaas.Grains.Cluster;

namespace OrleansSaas.Hosting;

public static class SiloRegistration
{
    /// <summary>
    /// Everything a silo of the product needs besides its clustering and endpoints (which belong to the host):
    /// grain storage and reminders on PostgreSQL, the grain directory, call filters and every feature's services.
    /// The silo host and the in-process test cluster both call this, so a test cluster cannot drift from production.
    /// The Orleans providers read their SQL from the schema (see SchemaMigrator), which must be in place before the silo starts.
    /// </summary>
    public static ISiloBuilder AddOrleansSaas(this ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        silo.Services.AddAppData(connectionString);
        silo.Services.AddSessionFeatures(configuration);
        silo.Services.AddWebhookFeatures(configuration);

        // The default directory deactivates, cluster-wide, every grain whose registration a leaving silo held; this one
        // hands its ranges over instead, so sessions on the other silos stay up when one stops or dies.
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // Orleans counts its hold on a dead silo's grains from the estimated failure (the declaration less the
        // failure-detection window); this makes it end Failover:DirectoryHoldAfterDeath after the declaration.
        silo.Services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<ClusterMembershipOptions>, IOptions<FailoverOptions>>(
            (directory, membership, failover) => directory.RangeLeaseDuration =
                membership.Value.MaxProbeTimeout * membership.Value.NumMissedProbesLimit + failover.Value.DirectoryHoldAfterDeath);
        silo.AddAdoNetGrainStorageAsDefault(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        silo.Services.Configure<ExceptionSerializationOptions>(DatabaseFailure.AllowOnTheWire);
        return silo;
    }
}

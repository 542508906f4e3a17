using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Data.Simulation;
using OrleansSaas.Data.Webhooks;

namespace OrleansSaas.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers one pooled data source for the app tables and the stores that use it.</summary>
    public static IServiceCollection AddAppData(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(Tuned(connectionString)));
        services.AddSingleton<GroupCommit>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<SimulatedNetworkStore>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<WebhookStore>();
        services.AddMediaStore();
        return services;
    }

    /// <summary>
    /// The hot statements are few and run thousands of times a second: prepared once per connection, PostgreSQL
    /// skips parsing and planning them (a connection string that sets Max Auto Prepare keeps its value). The stores
    /// leave no session state on a connection, so returning one to the pool needs no DISCARD ALL (one more
    /// statement per use, and it would drop the prepared statements).
    /// </summary>
    private static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }
}

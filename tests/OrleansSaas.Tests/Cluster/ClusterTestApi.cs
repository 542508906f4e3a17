using System.Net;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Cluster;

/// <summary>Cluster admin calls and probes shared by the movement and audit tests.</summary>
internal static class ClusterTestApi
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Moves happen when their own call is made; only a join rebalances by itself, so tests that count sessions turn it off.</summary>
    public static Dictionary<string, string> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string> { ["Cluster__AutoRebalance"] = "false" };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    public static async Task<JsonArray> SilosAsync(this HttpClient admin) =>
        (await (await admin.GetAsync("/v1/admin/silos")).ReadJsonAsync(HttpStatusCode.OK)).AsArray();

    /// <summary>Waits until this many silos are active and have reported their capacity (moves only go to such silos).</summary>
    public static async Task<List<string>> ReportedSilosAsync(this HttpClient admin, int count)
    {
        var silos = await Api.EventuallyAsync(admin.SilosAsync,
            list => list.Count(s => (string?)s!["status"] == "active" && s["maxSessions"] is not null) == count, Patience, $"{count} silos reporting");
        return silos.Where(s => (string?)s!["status"] == "active").Select(s => (string)s!["address"]!).ToList();
    }

    public static async Task<List<string>> CreatePairedSessionsAsync(this HttpClient client, int count, string numberPrefix)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++) ids.Add(await client.CreatePairedSessionAsync($"{numberPrefix}{i:D2}"));
        return ids;
    }

    /// <summary>Connected sessions per host silo, as the sessions table records them.</summary>
    public static async Task<Dictionary<string, long>> ConnectedPerSiloAsync(this TestCluster cluster)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT host_silo, count(*) FROM sessions WHERE status = 'connected' GROUP BY host_silo", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public static string Silo(this JsonNode session) => (string)session["placement"]!["silo"]!;

    public static JsonNode LastChange(this JsonNode session) => session["history"]!.AsArray().Last()!;
}

using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Admin;

/// <summary>NAME_FILE environment variables: a gateway reads its connection string and admin key from files.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class SecretFileTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task A_gateway_takes_its_connection_string_and_admin_key_from_files_over_plain_variables()
    {
        var cluster = fixture.Cluster;
        var fileKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var keyFile = Path.GetTempFileName();
        var connectionFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, fileKey + "\n");
        await File.WriteAllTextAsync(connectionFile, cluster.ConnectionString);
        try
        {
            // The plain variables are wrong on purpose: the gateway only works if the files win.
            var url = await cluster.StartExtraGatewayAsync(new Dictionary<string, string>
            {
                ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Database=nothing;Username=nobody",
                ["ConnectionStrings__Postgres_FILE"] = connectionFile,
                ["Admin__ApiKey_FILE"] = keyFile,
            });
            using var fromFile = Client(url, fileKey);
            await (await fromFile.GetAsync("/v1/admin/tenants")).ReadJsonAsync(HttpStatusCode.OK);
            using var fromVariable = Client(url, cluster.AdminKey);
            await (await fromVariable.GetAsync("/v1/admin/tenants")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
        finally
        {
            File.Delete(keyFile);
            File.Delete(connectionFile);
        }
    }

    private static HttpClient Client(Uri url, string adminKey)
    {
        var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
        return client;
    }
}

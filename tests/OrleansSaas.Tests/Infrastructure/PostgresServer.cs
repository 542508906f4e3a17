using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server from the system's binaries, shared by every test in the run and
/// removed when the test process exits. Each test that needs isolation gets a database of its own.
/// PostgreSQL refuses to run as root, so as root it runs as the 'postgres' user.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string _directory;
    private readonly string _binaries;

    public static PostgresServer Instance => Shared.Value;

    public int Port { get; }

    private PostgresServer(string directory, string binaries, int port)
    {
        _directory = directory;
        _binaries = binaries;
        Port = port;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=app;Maximum Pool Size=40;Timeout=15";

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static PostgresServer Start()
    {
        var binaries = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), $"orleanssaas-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"postgres {directory}");
        var dataDirectory = Path.Combine(directory, "data");
        var port = FreePort();

        RunPostgresTool(asRoot, "initdb", $"-D {dataDirectory} -A trust -U app -E UTF8 --no-sync", binaries);
        RunPostgresTool(asRoot, "pg_ctl",
            $"-D {dataDirectory} -l {directory}/server.log -w -t 60 -o \"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400\" start",
            binaries);

        var server = new PostgresServer(directory, binaries, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(asRoot, dataDirectory);
        return server;
    }

    private void Stop(bool asRoot, string dataDirectory)
    {
        try
        {
            RunPostgresTool(asRoot, "pg_ctl", $"-D {dataDirectory} -m immediate -w stop", _binaries);
        }
        catch
        {
            // Best effort at exit; a leftover temp folder is harmless.
        }
        try { Directory.Delete(_directory, recursive: true); } catch { }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).ToList()
            : [];
        return candidates.FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql; install the 'postgresql' package (.ci/run and run.sh do this).");
    }

    private static void RunPostgresTool(bool asRoot, string tool, string arguments, string binaries)
    {
        var path = Path.Combine(binaries, tool);
        if (asRoot) Run("runuser", $"-u postgres -- {path} {arguments}");
        else Run(path, arguments);
    }

    private static void Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90))) throw new TimeoutException($"{file} {arguments} did not finish.");
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output.Result}{error.Result}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

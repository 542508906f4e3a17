using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server from the system's binaries, removed when it is disposed or the process
/// exits. The tests share one (<see cref="Instance"/>) and give each cluster a database of its own; a run
/// that restarts PostgreSQL starts its own with <see cref="StartNew"/>, so nobody else sees the outage.
/// PostgreSQL refuses to run as root, so as root it runs as the 'postgres' user.
/// </summary>
public sealed class PostgresServer : IDatabaseServer, IDisposable
{
    private static readonly Lazy<PostgresServer> Shared = new(() => StartNew(durable: false), LazyThreadSafetyMode.ExecutionAndPublication);
    // Durability buys nothing for tests, and these make the shared server much faster on a busy disk.
    private const string NonDurableSettings = " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    private readonly string _directory;
    private readonly string _binaries;
    private readonly bool _asRoot;
    private readonly bool _durable;
    private readonly bool _statementStatistics;
    private int _removed;

    public static PostgresServer Instance => Shared.Value;

    public int Port { get; }

    /// <summary>The server's data directory: the recovery drill destroys it and restores a backup into it.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>A folder next to the data directory that the server's user can write (WAL archive, base backups).</summary>
    public string WorkDirectory => _directory;

    /// <summary>The folder with initdb, pg_ctl, pg_basebackup, … (Debian keeps them out of PATH).</summary>
    public string Binaries => _binaries;

    private PostgresServer(string directory, string binaries, int port, bool asRoot, bool durable, bool statementStatistics)
    {
        _statementStatistics = statementStatistics;
        _directory = directory;
        _binaries = binaries;
        Port = port;
        _asRoot = asRoot;
        _durable = durable;
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

    /// <summary>
    /// A new server on a free port. <paramref name="durable"/> keeps PostgreSQL's default fsync and commit
    /// settings, for measurements that must count only what is really on disk. <paramref name="statementStatistics"/>
    /// loads pg_stat_statements (a benchmark's per-statement costs).
    /// </summary>
    public static PostgresServer StartNew(bool durable, bool statementStatistics = false)
    {
        var binaries = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), $"orleanssaas-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"postgres {directory}");

        var server = new PostgresServer(directory, binaries, FreePort(), asRoot, durable, statementStatistics);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        server.RunTool("initdb", $"-D {server.DataDirectory} -A trust -U app -E UTF8 --no-sync");
        server.Start();
        return server;
    }

    /// <summary>Starts the server on its data directory and port; after <see cref="Stop"/>, it comes back with its data.</summary>
    /// <param name="timeoutSeconds">How long pg_ctl waits for it to accept connections (a restored server first replays its WAL).</param>
    public void Start(int timeoutSeconds = 60) => RunTool("pg_ctl",
        $"-D {DataDirectory} -l {_directory}/server.log -w -t {timeoutSeconds} -o \"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=400{(_durable ? "" : NonDurableSettings)}{(_statementStatistics ? StatisticsSettings : "")}\" start");

    /// <summary>Appends settings to the server's postgresql.conf (read at the next start or reload).</summary>
    public void Configure(params string[] lines) => File.AppendAllLines(Path.Combine(DataDirectory, "postgresql.conf"), lines);

    /// <summary>
    /// A new server on a free port streaming from this one (pg_basebackup -R: a physical copy that keeps
    /// replaying the primary's WAL). It has the primary's durability settings.
    /// </summary>
    public PostgresServer StartStandby()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"orleanssaas-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (_asRoot) Run("chown", $"postgres {directory}");
        var standby = new PostgresServer(directory, _binaries, FreePort(), _asRoot, _durable, _statementStatistics);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => standby.Dispose();
        RunTool("pg_basebackup", $"-h 127.0.0.1 -p {Port} -U app -D {standby.DataDirectory} -R -X stream --checkpoint=fast --no-sync");
        standby.Start();
        return standby;
    }

    /// <summary>pg_ctl promote: a standby stops replaying and becomes a primary that accepts writes.</summary>
    public void Promote() => RunTool("pg_ctl", $"-D {DataDirectory} -w -t 60 promote");

    /// <summary>
    /// kill -9 of the postmaster and every backend it started, as when the machine is lost: no shutdown
    /// checkpoint, open connections cut mid-transaction.
    /// </summary>
    public void Kill()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First(), out var postmaster)) return;
        var children = Directory.GetDirectories("/proc").Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out var pid) && ParentOf(pid) == postmaster).ToList();
        Run("kill", $"-KILL {postmaster} {string.Join(' ', children)}");
        // The backends go with their postmaster; wait until the port is free again.
        for (var i = 0; i < 100 && Directory.Exists($"/proc/{postmaster}"); i++) Thread.Sleep(50);
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // pid (comm) state ppid …; comm may contain spaces, so read after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private const string StatisticsSettings = " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all";

    /// <summary>CPU time (user + system) of the server and its live backends, from /proc; Linux only.</summary>
    public TimeSpan CpuTime()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First());
        long ticks = 0;
        foreach (var process in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit)))
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{process}/stat"); } catch (IOException) { continue; }
            // Fields after the command name (which may hold spaces): state ppid … utime(14) stime(15) cutime(16) cstime(17).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var pid = int.Parse(process!);
            if (pid != postmaster && int.Parse(fields[1]) != postmaster) continue;
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            if (pid == postmaster) ticks += long.Parse(fields[13]) + long.Parse(fields[14]); // backends that exited
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    /// <summary>An operator's fast shutdown: open connections are cut, committed work is kept.</summary>
    public void Stop() => RunTool("pg_ctl", $"-D {DataDirectory} -m fast -w -t 60 stop");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 1) return;
        try
        {
            RunTool("pg_ctl", $"-D {DataDirectory} -m immediate -w stop");
        }
        catch
        {
            // Best effort (it may be stopped already); a leftover temp folder is harmless.
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

    private void RunTool(string tool, string arguments)
    {
        var path = Path.Combine(_binaries, tool);
        if (_asRoot) Run("runuser", $"-u postgres -- {path} {arguments}");
        else Run(path, arguments);
    }

    private static void Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(660))) throw new TimeoutException($"{file} {arguments} did not finish.");
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output.Result}{error.Result}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports (run.sh gives silo N its port base + N - 1).</summary>
    public static int FreePorts(int count)
    {
        while (true)
        {
            var first = FreePort();
            if (first + count - 1 <= IPEndPoint.MaxPort && Enumerable.Range(first + 1, count - 1).All(IsFree)) return first;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

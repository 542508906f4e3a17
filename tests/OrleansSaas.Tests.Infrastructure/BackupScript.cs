using System.Diagnostics;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>Runs ops/backup.sh, the operators' backup tool, against a <see cref="PostgresServer"/>, so drills exercise the documented commands.</summary>
public static class BackupScript
{
    /// <summary>The server's backup folder (base backups and WAL archive), next to its data directory.</summary>
    public static string Directory(PostgresServer server) => Path.Combine(server.WorkDirectory, "backups");

    /// <returns>The script's standard output.</returns>
    public static async Task<string> RunAsync(PostgresServer server, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(Artifacts.RepositoryRoot, "ops", "backup.sh"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["BACKUP_DIR"] = Directory(server);
        info.Environment["PGBIN"] = server.Binaries;
        info.Environment["PGHOST"] = "127.0.0.1";
        info.Environment["PGPORT"] = server.Port.ToString();
        info.Environment["PGUSER"] = "app";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ops/backup.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        return await output;
    }
}

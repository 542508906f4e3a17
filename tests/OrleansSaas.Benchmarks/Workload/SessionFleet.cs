using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>A paired session of the run: its id, the simulated phone it is linked to, and the silo it was placed on.</summary>
public sealed record FleetSession(int Index, string Id, string PhoneNumber, string Silo);

/// <summary>
/// Creates and pairs the run's sessions the way a client does: POST /v1/sessions, wait for its QR code,
/// then a simulated phone scans it (dev endpoint). Times both steps per session.
/// </summary>
public sealed class SessionFleet
{
    private const int Attempts = 5;

    public required IReadOnlyList<FleetSession> Sessions { get; init; }
    /// <summary>From the create request until the QR code can be fetched.</summary>
    public required IReadOnlyList<double> QrReadyMilliseconds { get; init; }
    /// <summary>From the scan until the session reports itself connected.</summary>
    public required IReadOnlyList<double> PairingMilliseconds { get; init; }
    /// <summary>Every setup call, including retried ones.</summary>
    public required RequestLog Calls { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public static async Task<SessionFleet> CreateAsync(GatewayApi api, int count, int concurrency, Action<string> progress, CancellationToken cancellation)
    {
        // A block of numbers of its own per run, so runs against one long-lived gateway never share a phone.
        var firstNumber = Random.Shared.Next(0, PhoneNumbers.Capacity - count);
        var sessions = new FleetSession[count];
        var qrReady = new ConcurrentBag<double>();
        var pairing = new ConcurrentBag<double>();
        var calls = new RequestLog();
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation },
            async (index, token) =>
            {
                var (session, qr, paired) = await CreateOneAsync(api, index, PhoneNumbers.Number(firstNumber + index), calls, token);
                sessions[index] = session;
                qrReady.Add(qr);
                pairing.Add(paired);
                var finished = Interlocked.Increment(ref done);
                if (finished % Math.Max(1, count / 10) == 0) progress($"paired {finished}/{count} sessions");
            });
        return new SessionFleet { Sessions = sessions, QrReadyMilliseconds = qrReady.ToList(), PairingMilliseconds = pairing.ToList(), Calls = calls, Elapsed = clock.Elapsed };
    }

    private static async Task<(FleetSession Session, double QrReady, double Pairing)> CreateOneAsync(
        GatewayApi api, int index, string phoneNumber, RequestLog calls, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var created = await LoggedAsync(() => api.CreateSessionAsync($"bench-{index}", cancellation), calls, cancellation);
        var id = (string)created.Expect(201, $"creating session {index}")["id"]!;
        while ((await LoggedAsync(() => api.GetQrAsync(id, cancellation), calls, cancellation)).Status != 200)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30)) throw new TimeoutException($"Session {id} showed no QR code within 30 s.");
            await Task.Delay(5, cancellation);
        }
        var qrReady = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var scanned = Stopwatch.GetTimestamp();
        var session = (await LoggedAsync(() => api.ScanAsync(id, phoneNumber, cancellation), calls, cancellation)).Expect(200, $"pairing session {id} with {phoneNumber}");
        while ((string?)session["status"] != "connected")
        {
            if (Stopwatch.GetElapsedTime(scanned) > TimeSpan.FromSeconds(30)) throw new TimeoutException($"Session {id} did not connect within 30 s of the scan.");
            await Task.Delay(20, cancellation);
            session = (await LoggedAsync(() => api.GetSessionAsync(id, cancellation), calls, cancellation)).Expect(200, $"reading session {id}");
        }
        var pairing = Stopwatch.GetElapsedTime(scanned).TotalMilliseconds;
        return (new FleetSession(index, id, phoneNumber, (string)session["placement"]!["silo"]!), qrReady, pairing);
    }

    private static Task<ApiReply> LoggedAsync(Func<Task<ApiReply>> call, RequestLog calls, CancellationToken cancellation) =>
        ApiCall.WithRetriesAsync(async () =>
        {
            var startedAt = DateTimeOffset.UtcNow;
            var reply = await call();
            calls.Add(new RequestRecord(startedAt, reply.Milliseconds, reply.Outcome));
            return reply;
        }, Attempts, cancellation);
}

/// <summary>Distinct valid E.164 numbers (+1 201 NXX XXXX, New Jersey): 8 million of them, enough for any run.</summary>
public static class PhoneNumbers
{
    public const int Capacity = 800 * 10_000;

    public static string Number(int n) => $"+1201{200 + n / 10_000}{n % 10_000:D4}";
}

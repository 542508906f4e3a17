using OrleansSaas.Grains.Cluster;

namespace OrleansSaas.Tests.Cluster;

/// <summary>The rules that decide which sessions move where, checked without a cluster.</summary>
public sealed class MovePlannerTests
{
    [Theory]
    [InlineData(new[] { 7, 0 }, new[] { 4, 3 }, 3)]
    [InlineData(new[] { 10, 10, 0 }, new[] { 7, 7, 6 }, 6)]
    [InlineData(new[] { 100, 60, 50 }, new[] { 70, 70, 70 }, 30)]
    [InlineData(new[] { 12, 10 }, new[] { 12, 10 }, 0)] // within 1.2: nothing moves
    [InlineData(new[] { 2, 1 }, new[] { 2, 1 }, 0)]     // one apart: nothing moves
    public void A_rebalance_ends_with_silos_within_one_session_of_each_other(int[] before, int[] after, int moves)
    {
        var plan = MovePlanner.Rebalance(Silos(before, max: 1000), tolerance: 1.2, maxMoves: int.MaxValue);

        Assert.Equal(moves, plan.Count);
        Assert.Equal(after, Apply(before, plan));
        Assert.Equal(plan.Count, plan.Select(m => m.SessionKey).Distinct().Count());
    }

    [Fact]
    public void A_rebalance_never_fills_a_silo_above_its_maximum()
    {
        var silos = new[] { Silo("a", 20, max: 30), Silo("b", 0, max: 4), Silo("c", 0, max: 30) };

        var plan = MovePlanner.Rebalance(silos, tolerance: 1.2, maxMoves: int.MaxValue);

        Assert.Equal(new[] { 8, 4, 8 }, Apply([20, 0, 0], plan, ["a", "b", "c"]));
    }

    [Fact]
    public void A_bounded_rebalance_moves_at_most_its_limit()
    {
        Assert.Equal(2, MovePlanner.Rebalance(Silos([9, 0], max: 100), 1.2, maxMoves: 2).Count);
    }

    [Fact]
    public void A_drain_spreads_sessions_to_the_least_loaded_silos_with_room_and_leaves_what_fits_nowhere()
    {
        var receivers = new[] { Silo("b", 3, max: 5), Silo("c", 0, max: 2) };

        var plan = MovePlanner.Spread("a", ["s1", "s2", "s3", "s4", "s5", "s6"], receivers);

        Assert.Equal(4, plan.Count); // b takes 2 more, c takes 2
        Assert.Equal(2, plan.Count(m => m.To == "b"));
        Assert.Equal(2, plan.Count(m => m.To == "c"));
        Assert.All(plan, m => Assert.Equal("a", m.From));
    }

    private static SiloSessions[] Silos(int[] counts, int max) =>
        counts.Select((count, i) => Silo(((char)('a' + i)).ToString(), count, max)).ToArray();

    private static SiloSessions Silo(string name, int sessions, int max) =>
        new(name, Enumerable.Range(0, sessions).Select(i => $"{name}/s{i}").ToList(), max);

    private static int[] Apply(int[] before, List<PlannedMove> plan, string[]? names = null)
    {
        names ??= before.Select((_, i) => ((char)('a' + i)).ToString()).ToArray();
        return names.Select((name, i) => before[i] - plan.Count(m => m.From == name) + plan.Count(m => m.To == name)).ToArray();
    }
}

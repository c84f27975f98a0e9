namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// Depth-first search over the picks of a <see cref="StepScheduler"/>: every schedule whose number of preemptions
/// (switching away from an actor that could have gone on) is at most the bound is run exactly once. Systematic, not
/// sampled: with bound b and n calls, every interleaving with at most b context switches forced mid-run is covered.
/// </summary>
internal sealed class ScheduleExplorer
{
    private readonly int _preemptionBound;

    public ScheduleExplorer(int preemptionBound) => _preemptionBound = preemptionBound;

    /// <summary>
    /// Runs <paramref name="runOne"/> once per schedule; it gets the pick function to hand to the scheduler. Returns
    /// how many schedules were explored.
    /// </summary>
    public async Task<int> ExploreAsync(Func<Func<IReadOnlyList<int>, int>, Task> runOne)
    {
        var path = new List<Choice>();
        var explored = 0;
        do
        {
            var depth = 0;
            var previous = -1;
            var preemptions = 0;
            int Pick(IReadOnlyList<int> enabled)
            {
                Choice choice;
                if (depth < path.Count)
                {
                    choice = path[depth];
                    if (!choice.Enabled.SequenceEqual(enabled))
                    {
                        throw new InvalidOperationException($"Not deterministic: at step {depth} actors [{string.Join(",", enabled)}] were waiting, earlier [{string.Join(",", choice.Enabled)}].");
                    }
                }
                else
                {
                    var stay = enabled.Contains(previous) ? previous : enabled[0];
                    choice = new Choice([.. enabled], previous, preemptions) { Chosen = stay };
                    choice.Done.Add(stay);
                    path.Add(choice);
                }

                preemptions += choice.Cost(choice.Chosen);
                previous = choice.Chosen;
                depth++;
                return choice.Chosen;
            }

            await runOne(Pick);
            explored++;
            path.RemoveRange(depth, path.Count - depth);
            while (path.Count > 0)
            {
                var last = path[^1];
                var alternative = last.Enabled.FirstOrDefault(a => !last.Done.Contains(a) && last.PreemptionsBefore + last.Cost(a) <= _preemptionBound, -1);
                if (alternative >= 0)
                {
                    last.Done.Add(alternative);
                    last.Chosen = alternative;
                    break;
                }

                path.RemoveAt(path.Count - 1);
            }
        }
        while (path.Count > 0);

        SuiteCoverage.SchedulesExplored(explored);
        return explored;
    }

    private sealed class Choice(List<int> enabled, int previous, int preemptionsBefore)
    {
        public List<int> Enabled { get; } = enabled;

        public int PreemptionsBefore { get; } = preemptionsBefore;

        public HashSet<int> Done { get; } = [];

        public int Chosen { get; set; }

        /// <summary>1 when picking <paramref name="actor"/> switches away from an actor that could have gone on.</summary>
        public int Cost(int actor) => Enabled.Contains(previous) && actor != previous ? 1 : 0;
    }
}

namespace KeyRotation.Testing.Soak;

/// <summary>
/// The soak's clock: real time (the handler's waits and the SDK's backoff really wait) plus an offset the soak moves
/// forward, so that the healing run comes after every claim of a cut-off run has expired. <see cref="Ticking"/> gives a
/// run a view that moves a step further on every read, so its deadline arrives after a few aliases: a run cut off
/// mid-batch without sleeping.
/// </summary>
internal sealed class SoakClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>This clock, seen by one run, moving <paramref name="perRead"/> further each time the run reads it.</summary>
    public TimeProvider Ticking(TimeSpan perRead) => new TickingView(this, perRead);

    private sealed class TickingView(SoakClock clock, TimeSpan perRead) : TimeProvider
    {
        private long _reads;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow() + (perRead * Interlocked.Increment(ref _reads));
    }
}

using KeyRotation.Core.Compliance;

namespace KeyRotation.Core.Tests.Compliance;

public sealed class AliasCryptoperiodTests
{
    private static readonly DateTimeOffset Rotated = new(2026, 12, 1, 3, 0, 5, TimeSpan.Zero);

    private static AliasCryptoperiod At(DateTimeOffset now, int days) =>
        AliasCryptoperiod.Measure("alias/orders", "k1", Rotated, days, "MAX_KEY_AGE_DAYS", RotationSchedule.Default, now);

    [Fact]
    public void Standing_RotatedThisMonthWithTheNextRunBeforeTheEnd_IsCompliant()
    {
        var measured = At(Rotated.AddDays(14), 35);

        Assert.Equal(CryptoperiodStanding.Compliant, measured.Standing);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 3, 0, 0, TimeSpan.Zero), measured.NextScheduledRun);
        Assert.Equal(Rotated.AddDays(35), measured.DueBy);
    }

    [Fact]
    public void Standing_TheNextRunComesAfterTheEnd_IsDueSoon()
    {
        // The run of 1 January failed: the next one, 1 February, is after the end on 5 January.
        Assert.Equal(CryptoperiodStanding.DueSoon, At(new DateTimeOffset(2027, 1, 1, 4, 0, 0, TimeSpan.Zero), 35).Standing);
    }

    [Fact]
    public void Standing_OlderThanItsCryptoperiod_IsOverdue()
    {
        var measured = At(Rotated.AddDays(35).AddMinutes(1), 35);

        Assert.Equal(CryptoperiodStanding.Overdue, measured.Standing);
        Assert.True(measured.IsOverdue);
        Assert.Equal(35, Math.Round(measured.Age.TotalDays));
    }
}

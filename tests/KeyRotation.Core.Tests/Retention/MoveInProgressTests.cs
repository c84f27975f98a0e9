using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Tests.Retention;

public sealed class MoveInProgressTests
{
    private static RetentionKey Current(string state, long sequence = 3) => new()
    {
        KeyId = "current",
        Index = 0,
        Generation = 4,
        KeyState = "Enabled",
        Tags = new Dictionary<string, string>(StringComparer.Ordinal) { [RotationTags.State] = state, [RotationTags.Sequence] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static MarkerAliasEntry Marker(long move, string target) => new($"alias/keyrotation/orders/{move}", move, false, target, null);

    [Theory]
    [InlineData(RotationTags.KeyStates.Pending)]
    [InlineData(RotationTags.KeyStates.Restoring)]
    public void Describe_CurrentKeyMidMove_IsInProgress(string state) =>
        Assert.NotNull(MoveInProgress.Describe("alias/orders", Current(state), []));

    [Fact]
    public void Describe_MarkerAtPendingKey_IsInProgress()
    {
        var pending = new Dictionary<string, string>(StringComparer.Ordinal) { [RotationTags.State] = RotationTags.KeyStates.Pending };

        Assert.NotNull(MoveInProgress.Describe("alias/orders", Current("active"), [(Marker(3, "other"), pending)]));
    }

    [Fact]
    public void Describe_MarkerClaimingTheNextMove_IsInProgress() =>
        Assert.NotNull(MoveInProgress.Describe("alias/orders", Current("active"), [(Marker(4, "current"), null)]));

    [Fact]
    public void Describe_FinishedMoves_IsNotInProgress()
    {
        var retired = new Dictionary<string, string>(StringComparer.Ordinal) { [RotationTags.State] = RotationTags.KeyStates.Retired };

        Assert.Null(MoveInProgress.Describe("alias/orders", Current("active"), [(Marker(3, "current"), null), (Marker(2, "old"), retired)]));
    }
}

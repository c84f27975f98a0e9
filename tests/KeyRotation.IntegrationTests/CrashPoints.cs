using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests;

/// <summary>
/// The crash points of a recorded run, for the crash matrices: each call with its operation, which occurrence of that
/// operation it is (what the fault injector counts), its position in the run, and its Region.
/// </summary>
internal static class CrashPoints
{
    public static IEnumerable<(string Operation, int Occurrence, int Index, string? Region)> Of(IEnumerable<LocalKmsRecordedRequest> requests)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var request in requests)
        {
            seen[request.Operation] = seen.GetValueOrDefault(request.Operation) + 1;
            yield return (request.Operation, seen[request.Operation], index++, request.Region);
        }
    }
}

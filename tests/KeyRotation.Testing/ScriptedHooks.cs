using System.Text.Json;
using KeyRotation.Core.Hooks;

namespace KeyRotation.Testing;

/// <summary>
/// Hook functions in process: records every invocation (function, payload, invocation type) and answers from a script,
/// else with <see cref="Default"/>. An answer may wait for the token, as a hook that never answers does.
/// </summary>
internal sealed class ScriptedHooks : IHookFunctions
{
    private readonly Lock _gate = new();
    private readonly Queue<Func<CancellationToken, Task<HookAnswer>>> _script = new();

    public const string Accept = """{"ok":true}""";

    /// <summary>The answer when nothing is scripted: accept.</summary>
    public Func<CancellationToken, Task<HookAnswer>> Default { get; set; } = _ => Task.FromResult(new HookAnswer(Accept));

    /// <summary>Completed when an invocation is waiting for its token (see <see cref="ThenHang"/>).</summary>
    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<(MoveHookArn Hook, JsonElement Payload, HookInvocation Invocation)> Calls { get; } = [];

    public IReadOnlyList<(MoveHookArn Hook, JsonElement Payload, HookInvocation Invocation)> Snapshot()
    {
        lock (_gate)
        {
            return [.. Calls];
        }
    }

    /// <summary>The invocations of one step (testNewKey or afterMove).</summary>
    public IReadOnlyList<(MoveHookArn Hook, JsonElement Payload, HookInvocation Invocation)> Of(string step) =>
        [.. Snapshot().Where(c => c.Payload.GetProperty("step").GetString() == step)];

    public ScriptedHooks Then(string payload, string? functionError = null, string? logTail = null)
    {
        lock (_gate)
        {
            _script.Enqueue(_ => Task.FromResult(new HookAnswer(payload, functionError, logTail)));
        }

        return this;
    }

    public ScriptedHooks ThenThrow(Exception exception)
    {
        lock (_gate)
        {
            _script.Enqueue(_ => Task.FromException<HookAnswer>(exception));
        }

        return this;
    }

    /// <summary>The next invocation never answers: it waits until its token (the hook's timeout) is cancelled.</summary>
    public ScriptedHooks ThenHang()
    {
        lock (_gate)
        {
            _script.Enqueue(async ct =>
            {
                Hanging.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            });
        }

        return this;
    }

    public Task<HookAnswer> InvokeAsync(MoveHookArn hook, string payload, HookInvocation invocation, CancellationToken ct)
    {
        Func<CancellationToken, Task<HookAnswer>> answer;
        lock (_gate)
        {
            Calls.Add((hook, JsonDocument.Parse(payload).RootElement.Clone(), invocation));
            answer = _script.Count > 0 ? _script.Dequeue() : Default;
        }

        return answer(ct);
    }
}

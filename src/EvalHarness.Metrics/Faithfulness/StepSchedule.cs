using EvalHarness.Engine;

namespace EvalHarness.Metrics.Faithfulness;

/// <summary>
/// Which ranked pixels change at each step of deletion/insertion: step i changes ranks
/// [Boundaries[i], Boundaries[i+1]). Boundaries[0] = 0, Boundaries[n] = H·W.
/// </summary>
public sealed class StepSchedule
{
    private StepSchedule(int[] boundaries, string description)
    {
        Boundaries = boundaries;
        Description = description;
    }

    public int[] Boundaries { get; }

    /// <summary>n, the number of steps; there are n + 1 scores.</summary>
    public int Steps => Boundaries.Length - 1;

    public string Description { get; }

    /// <summary>RISE: <paramref name="step"/> pixels per step, n = ⌈H·W/step⌉, the last step smaller when step does not divide H·W.</summary>
    public static StepSchedule FixedSize(int pixels, int step)
    {
        if (step <= 0) throw new EvalHarnessException($"A deletion/insertion step must change at least one pixel (step = {step}).");
        int n = (int)(((long)pixels + step - 1) / step); // eclique/RISE evaluation.py: n_steps = (HW + step - 1) // step
        var b = new int[n + 1];
        for (int i = 0; i <= n; i++) b[i] = (int)Math.Min((long)i * step, pixels);
        return new StepSchedule(b, $"{step} pixels per step, {n} steps" + (pixels % step != 0 ? $" (last step {pixels - (n - 1) * step})" : ""));
    }

    /// <summary>Exactly <paramref name="steps"/> steps of ⌊H·W/n⌋ or ⌈H·W/n⌉ pixels: step i ends at rank ⌊(i+1)·H·W/n⌋.</summary>
    public static StepSchedule FixedCount(int pixels, int steps)
    {
        if (steps <= 0 || steps > pixels)
            throw new EvalHarnessException($"Deletion/insertion with {steps} steps on {pixels} pixels: the number of steps must be in [1, {pixels}].");
        var b = new int[steps + 1];
        for (int i = 0; i <= steps; i++) b[i] = (int)((long)i * pixels / steps);
        return new StepSchedule(b, $"{steps} steps of {pixels / steps}" + (pixels % steps != 0 ? $"-{pixels / steps + 1}" : "") + " pixels");
    }
}

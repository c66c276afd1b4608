using EvalHarness.Engine;

namespace EvalHarness.Models;

internal static class ZooChecks
{
    public static void NumClasses(int numClasses)
    {
        if (numClasses < 1)
            throw new EvalHarnessException($"A classifier needs at least one class; {numClasses} classes were asked for.");
    }
}

"""Real-Optuna side of the interop tests (run with /usr/bin/python3, Debian's python3-optuna).

  dump <journal>                        every study and trial as JSON (Optuna's own view)
  optimize <journal> <study> <n>        study.optimize over n trials, objective from hgnas:arch
  race <journal> <study> <sleep>        pop WAITING trials until none is left; prints what it evaluated
  append <journal> <study> <tag> <n>    n study user-attribute writes through Optuna's storage

The objective value is derived from the genotype alone: sum of stage channels + head width.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import optuna  # noqa: E402
from optuna.storages import JournalFileStorage, JournalStorage  # noqa: E402
from optuna.trial import TrialState  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)


def storage(path):
    return JournalStorage(JournalFileStorage(path))


def arch_value(arch):
    return float(sum(s["channels"] for s in arch["stages"]) + arch["headWidth"])


def dump(path):
    st = storage(path)
    out = []
    for s in st.get_all_studies():
        trials = []
        for t in st.get_all_trials(s._study_id, deepcopy=False):
            trials.append({
                "trial_id": t._trial_id, "number": t.number, "state": t.state.name, "values": t.values,
                "params": t.params, "user_attrs": t.user_attrs, "system_attrs": t.system_attrs,
                "intermediate_values": {str(k): v for k, v in t.intermediate_values.items()},
                "has_start": t.datetime_start is not None, "has_complete": t.datetime_complete is not None,
            })
        out.append({"study_id": s._study_id, "name": s.study_name, "directions": [d.name for d in s.directions],
                    "user_attrs": s.user_attrs, "trials": trials})
    print(json.dumps(out))


def objective_from_arch(evaluated, sleep=0.0):
    def objective(trial):
        arch = trial.user_attrs.get("hgnas:arch")
        if arch is None:
            # Worker contract: not enqueued by hgnas -> FAIL, never invent an architecture.
            return float("nan")
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True) if "lr" in trial.system_attrs.get("fixed_params", {}) else None
        if sleep:
            time.sleep(sleep)
        evaluated.append(trial.number)
        return arch_value(arch) + (lr or 0.0)
    return objective


def optimize(path, name, n):
    study = optuna.load_study(study_name=name, storage=storage(path))
    evaluated = []
    study.optimize(objective_from_arch(evaluated), n_trials=int(n))
    print(json.dumps({"evaluated": evaluated}))


def race(path, name, sleep):
    study = optuna.load_study(study_name=name, storage=storage(path))
    evaluated = []
    objective = objective_from_arch(evaluated, float(sleep))
    while study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        study.optimize(objective, n_trials=1)
    print(json.dumps({"evaluated": evaluated}))


def append(path, name, tag, n):
    st = storage(path)
    study_id = st.get_study_id_from_name(name)
    for i in range(int(n)):
        st.set_study_user_attr(study_id, f"{tag}-{i}", f"{tag}:{i}:" + "y" * 2000)
    print(json.dumps({"done": int(n)}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"dump": dump, "optimize": optimize, "race": race, "append": append}[command](*args)

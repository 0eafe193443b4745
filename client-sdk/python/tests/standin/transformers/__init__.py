"""Test stand-in importable as ``transformers`` (put client-sdk/python/tests/standin on sys.path).

It models the Trainer of Hugging Face transformers 5.15.0 (tag v5.15.0, commit
5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9) on plain PyTorch, for machines where transformers cannot be installed.
Written anew from reading src/transformers/trainer.py, trainer_callback.py, training_args.py, trainer_utils.py,
trainer_pt_utils.py, data/data_collator.py and accelerate's data_loader.py / accelerator.py; each module's docstring
cites the function behind each behaviour, and tests/standin/README.md lists what is left out.
``IS_STANDIN`` lets code and tests tell it from the real library.
"""

__version__ = "5.15.0"
IS_STANDIN = True

from .data.data_collator import default_data_collator
from .trainer import Trainer, get_scheduler
from .trainer_callback import (
    CallbackHandler,
    DefaultFlowCallback,
    ExportableState,
    PrinterCallback,
    ProgressCallback,
    TrainerCallback,
    TrainerControl,
    TrainerState,
)
from .trainer_utils import (
    PREFIX_CHECKPOINT_DIR,
    EvalPrediction,
    IntervalStrategy,
    RemoveColumnsCollator,
    SaveStrategy,
    SchedulerType,
    TrainOutput,
    get_last_checkpoint,
    set_seed,
)
from .training_args import TrainingArguments

__all__ = [
    "CallbackHandler",
    "DefaultFlowCallback",
    "EvalPrediction",
    "ExportableState",
    "IntervalStrategy",
    "PREFIX_CHECKPOINT_DIR",
    "PrinterCallback",
    "ProgressCallback",
    "RemoveColumnsCollator",
    "SaveStrategy",
    "SchedulerType",
    "TrainOutput",
    "Trainer",
    "TrainerCallback",
    "TrainerControl",
    "TrainerState",
    "TrainingArguments",
    "default_data_collator",
    "get_last_checkpoint",
    "get_scheduler",
    "set_seed",
]

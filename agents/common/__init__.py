"""Plumbing every trainer shares, written once and tested: run directories and config (``runs``), metrics
(``metrics``), checkpoints (``checkpoint``), seeding (``seeding``), the training session around a loop
(``session``), replay (``buffers``), observation normalisation (``normalize``), multi-agent networks
(``nets``), masked action selection (``actions``), returns and advantages (``returns``), and trained
policies for evaluation (``policies``)."""

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 150
# The fentry backend: a ping's path and an iptables drop (guest-lib.sh).
. /vista/guest-lib.sh
backend_path fentry

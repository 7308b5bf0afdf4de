// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network namespaces by inode: parse --filter-netns, and name interfaces in
 * any netns. A socket keeps the netns it was created in, so the core enters
 * a netns once, opens a socket there, returns, and asks that socket for
 * interface names and indexes (SIOCGIFNAME/SIOCGIFINDEX) from then on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core.h"

#define NS_MAX_SOCKS	64
#define NS_MAX_NAMES	1024
#define NS_RETRY_NS	1000000000LL	/* retry unknown interfaces after 1 s */

struct ns_sock {
	__u32 inode;
	int fd;		/* -1: netns not found */
};

struct ns_name {
	__u32 netns;
	__u32 ifindex;
	__s64 miss_at;	/* when it was last not found, 0 if known */
	char name[IF_NAMESIZE];
};

static struct ns_sock socks[NS_MAX_SOCKS];
static size_t nr_socks;
static struct ns_name names[NS_MAX_NAMES];
static size_t nr_names, next_evict;
static struct ns_name *last;	/* the entry the previous lookup found */

__u32 netns_self(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (__u32)st.st_ino;
}

int netns_parse(const char *spec, __u32 *inode)
{
	unsigned long long v;
	struct stat st;
	char *end;

	if (!strncmp(spec, "inode:", 6)) {
		errno = 0;
		v = strtoull(spec + 6, &end, 0);
		if (errno || end == spec + 6 || *end || !v || v > 0xffffffffULL)
			return -EINVAL;
		*inode = v;
		return 0;
	}
	if (stat(spec, &st))
		return -errno;
	*inode = st.st_ino;
	return 0;
}

static int open_by_inode(__u32 inode)
{
	static const char *const dirs[] = { "/run/netns", "/var/run/netns" };
	char path[300];
	struct dirent *de;
	struct stat st;
	size_t i;
	DIR *d;
	int fd = -1;

	if (inode == netns_self())
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < ARRAY_SIZE(dirs) && fd < 0; i++) {
		d = opendir(dirs[i]);
		if (!d)
			continue;
		while ((de = readdir(d)) && fd < 0) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i],
				 de->d_name);
			if (!stat(path, &st) && st.st_ino == inode)
				fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		closedir(d);
	}
	if (fd >= 0)
		return fd;
	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d)) && fd < 0) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (!stat(path, &st) && st.st_ino == inode)
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	closedir(d);
	return fd;
}

/* Back to vista's own netns (self: its fd), or stop: better than to
 * go on from the wrong one. */
static void ns_return(int self)
{
	if (setns(self, CLONE_NEWNET)) {
		err("cannot return to vista's netns: %s", strerror(errno));
		exit(VISTA_EXIT_FAIL);
	}
}

/* A socket living in netns inode, or -1. */
static int ns_socket(__u32 inode)
{
	int nsfd, self, fd = -1;
	size_t i;

	if (!inode)
		inode = netns_self();
	for (i = 0; i < nr_socks; i++)
		if (socks[i].inode == inode)
			return socks[i].fd;

	if (inode == netns_self()) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	} else {
		nsfd = open_by_inode(inode);
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (nsfd >= 0 && self >= 0 && !setns(nsfd, CLONE_NEWNET)) {
			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			ns_return(self);
		}
		if (nsfd >= 0)
			close(nsfd);
		if (self >= 0)
			close(self);
	}
	/* Remember failures too: a vanished netns is not rescanned per event */
	if (nr_socks < NS_MAX_SOCKS) {
		socks[nr_socks].inode = inode;
		socks[nr_socks].fd = fd;
		nr_socks++;
	}
	return fd;
}

static __s64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *netns_ifname(__u32 netns, __u32 ifindex)
{
	struct ns_name *n = NULL;
	struct ifreq ifr = {};
	size_t i;
	int fd;

	if (!ifindex)
		return NULL;
	/* Per event: most events name the same interface as the last one. */
	if (last && last->netns == netns && last->ifindex == ifindex &&
	    !last->miss_at)
		return last->name;
	for (i = 0; i < nr_names; i++) {
		if (names[i].netns == netns && names[i].ifindex == ifindex) {
			n = &names[i];
			break;
		}
	}
	if (n && !n->miss_at) {
		last = n;
		return n->name;
	}
	if (n && mono_ns() - n->miss_at < NS_RETRY_NS)
		return NULL;
	if (!n) {
		if (nr_names < NS_MAX_NAMES)
			n = &names[nr_names++];
		else
			n = &names[next_evict++ % NS_MAX_NAMES];
		n->netns = netns;
		n->ifindex = ifindex;
	}
	fd = ns_socket(netns);
	ifr.ifr_ifindex = ifindex;
	if (fd < 0 || ioctl(fd, SIOCGIFNAME, &ifr)) {
		n->miss_at = mono_ns();
		return NULL;
	}
	n->miss_at = 0;
	snprintf(n->name, sizeof(n->name), "%s", ifr.ifr_name);
	last = n;
	return n->name;
}

int netns_ifindex(__u32 netns, const char *name, __u32 *ifindex)
{
	struct ifreq ifr = {};
	int fd = ns_socket(netns);

	if (fd < 0)
		return -ENOENT;
	if (strlen(name) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	strcpy(ifr.ifr_name, name);
	if (ioctl(fd, SIOCGIFINDEX, &ifr))
		return -errno;
	*ifindex = ifr.ifr_ifindex;
	return 0;
}

struct ns_ent {
	__u32 inode;
	char path[64];
};

static int ns_add(struct ns_ent **v, size_t *n, const char *path)
{
	struct ns_ent *e;
	struct stat st;
	size_t i;

	if (stat(path, &st))
		return 0;
	for (i = 0; i < *n; i++)
		if ((*v)[i].inode == st.st_ino)
			return 0;
	e = realloc(*v, (*n + 1) * sizeof(**v));
	if (!e)
		return -ENOMEM;
	*v = e;
	e[*n].inode = st.st_ino;
	snprintf(e[*n].path, sizeof(e[*n].path), "%s", path);
	(*n)++;
	return 0;
}

/* Every network namespace a path shows: named ones, then processes'. */
static int ns_scan(struct ns_ent **v, size_t *n)
{
	static const char *const dirs[] = {
		"/run/netns", "/var/run/netns", "/proc",
	};
	char path[300];
	struct dirent *de;
	size_t i;
	DIR *d;
	int ret = ns_add(v, n, "/proc/self/ns/net");

	for (i = 0; i < ARRAY_SIZE(dirs) && !ret; i++) {
		d = opendir(dirs[i]);
		if (!d)
			continue;
		while ((de = readdir(d)) && !ret) {
			if (de->d_name[0] == '.')
				continue;
			if (i == 2 && (de->d_name[0] < '0' ||
				       de->d_name[0] > '9'))
				continue;
			snprintf(path, sizeof(path), i == 2 ? "%s/%s/ns/net"
							    : "%s/%s",
				 dirs[i], de->d_name);
			if (strlen(path) < sizeof((*v)->path))
				ret = ns_add(v, n, path);
		}
		closedir(d);
	}
	return ret;
}

int netns_each(__u32 only, int (*fn)(__u32 inode, void *arg), void *arg)
{
	struct ns_ent *v = NULL;
	size_t i, n = 0;
	int self, nsfd, ret;

	ret = ns_scan(&v, &n);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		ret = -errno;
	for (i = 0; i < n && !ret && !vista_stop; i++) {
		if (only && v[i].inode != only)
			continue;
		if (v[i].inode == netns_self()) {
			ret = fn(v[i].inode, arg);
			continue;
		}
		nsfd = open(v[i].path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			continue;	/* the process went away */
		if (setns(nsfd, CLONE_NEWNET)) {
			ret = -errno;
			close(nsfd);
			break;
		}
		close(nsfd);
		ret = fn(v[i].inode, arg);
		ns_return(self);
	}
	if (self >= 0)
		close(self);
	free(v);
	return ret;
}

void netns_cleanup(void)
{
	size_t i;

	for (i = 0; i < nr_socks; i++)
		if (socks[i].fd >= 0)
			close(socks[i].fd);
	nr_socks = 0;
	nr_names = 0;
	last = NULL;
}
